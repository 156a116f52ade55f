from django.core.cache import cache

from kinerja.register.models import Unit

SYNTHETIC_MARK = "sintetis"


def synthetic(request):  # type: ignore[no-untyped-def]
    """Every page says so when the register holds the synthetic sample (unit names carry the mark)."""
    flag = cache.get("kinerja:synthetic")
    if flag is None:
        flag = Unit.objects.filter(name__icontains=SYNTHETIC_MARK).exists()
        cache.set("kinerja:synthetic", flag, 60)
    return {"synthetic": flag}
