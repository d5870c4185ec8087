"""An agreement's address: a short slug made from its title, and the slugs it had
before, which redirect (301) to the current one."""

import enum
from typing import TYPE_CHECKING, Final, Literal

from django.db import models
from django.utils.text import slugify

if TYPE_CHECKING:
    from agreements.models.agreements import Agreement


class Deferred(enum.Enum):
    """A typed sentinel (an enum member narrows with ``is``)."""

    SLUG = "deferred slug"


DEFERRED_SLUG: Final = Deferred.SLUG  # an instance loaded without its slug: whether it moved is not known
# What an agreement last read or wrote as its slug.
StoredSlug = str | Literal[Deferred.SLUG]


class AgreementSlug(models.Model):
    """A slug an agreement had before: its old address redirects (301) to the current one."""

    slug = models.SlugField(max_length=220, unique=True)
    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.CASCADE, related_name="old_slugs")
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-replaced_at"]

    def __str__(self) -> str:
        return self.slug

    @classmethod
    def moved(cls, agreement: "Agreement", old_slug: str | None) -> None:
        """``agreement`` now has its slug; ``old_slug`` (if any) redirects to it. A slug in use is nobody's old one."""
        cls.objects.filter(slug=agreement.slug).delete()
        if old_slug:
            cls.objects.update_or_create(slug=old_slug, defaults={"agreement": agreement})


# Slugs made from titles stay short: a title's first words, whole, then the year.
SLUG_LENGTH = 50
SLUG_ABBREVIATIONS = {
    "memorandum-of-understanding": "mou",
    "memorandum-of-cooperation": "moc",
    "free-trade-agreement": "fta",
    "economic-partnership-agreement": "epa",
}


def short_slug(title: str, length: int = SLUG_LENGTH) -> str:
    """``title`` as a slug of at most ``length`` characters, cut between words."""
    slug = slugify(title)
    for long, short in SLUG_ABBREVIATIONS.items():
        slug = slug.replace(long, short)
    if len(slug) > length:
        slug = slug[: length + 1].rsplit("-", 1)[0] if "-" in slug[:length] else slug[:length]
    return slug.strip("-") or "agreement"
