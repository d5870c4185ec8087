from agreements.imports.gptad import import_gptad
from agreements.management.dataset_command import DatasetCommand


class Command(DatasetCommand):
    help = (
        "Import the World Bank's GPTAD list (a .gz is read as its content) into the registry, as claims on the "
        "agreements it matches (agreements.imports.merge; it creates none, and lists what it could not match). "
        "Every row is checked first: any error is printed with its line and nothing is written. The same file "
        "again is skipped (its SHA-256 is kept); --force reads it anyway."
    )
    importer = staticmethod(import_gptad)
