from agreements.imports.wto_rta import import_wto_rta
from agreements.management.dataset_command import DatasetCommand


class Command(DatasetCommand):
    help = (
        "Import the WTO's RTA list (a .gz is read as its content) into the registry, merged with the other "
        "datasets (agreements.imports.merge). Every row is checked first: any error is printed with its line and "
        "nothing is written. The same file again is skipped (its SHA-256 is kept); --force reads it anyway."
    )
    importer = staticmethod(import_wto_rta)
