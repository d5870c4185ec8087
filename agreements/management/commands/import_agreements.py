from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agreements.imports.agreements import import_agreements
from tradepacts.imports import ImportFailed, add_dry_run_argument, describe_preview, preview, refused


class Command(BaseCommand):
    help = (
        "Import agreements from a CSV with the export's columns (/agreements/export.csv). Every row is checked "
        "first: any error is printed with its line and nothing of the file is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file.")
        parser.add_argument(
            "--draft",
            action="store_true",
            help="Leave new agreements as drafts (and existing ones as they are). By default every agreement of "
            "the file is published, since exported files hold published agreements only.",
        )
        parser.add_argument(
            "--create-topics",
            action="store_true",
            help="Create the topics the file names that the database does not have (otherwise refused: a typo "
            "is not a new topic).",
        )
        add_dry_run_argument(parser)

    def handle(self, *args: Any, file: str, draft: bool, create_topics: bool, dry_run: bool, **options: Any) -> None:
        path = Path(file)
        try:
            stream = path.open("rb")  # read once, inside the import: the bytes are not kept
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            with stream:

                def run() -> Any:
                    return import_agreements(stream, publish=not draft, filename=path.name, create_topics=create_topics)

                if dry_run:
                    self.stdout.write("\n".join(describe_preview(preview(run))))
                    return
                result = run()  # the refreshes of what it changed are queued for its commit
        except ImportFailed as failure:
            raise refused(failure, path.name, self.stderr) from None
        state = "new ones left as drafts" if draft else "published"
        self.stdout.write(self.style.SUCCESS(f"Imported {path.name}: {result} ({state})"))
