from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Agreements"

    def ready(self) -> None:
        from agreements.models import Agreement, Organisation, Source, Topic
        from tradepacts.imports import name_in_previews

        # What an import's preview names (tradepacts.imports.preview): a typo must not become a record unseen.
        name_in_previews(Topic, "topic")
        name_in_previews(Organisation, "institution")
        name_in_previews(Source, "source")
        name_in_previews(Agreement, "agreement", changed=True)
