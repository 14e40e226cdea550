"""Settings for the benchmark: the project's own (from the environment), plus its URLs.

`bench/run.py` runs the app with DJANGO_DEBUG=0, as production does, and
adds the benchmark-only views (bench/urls.py) beside the real URLconf; the
app's own URLconf never has them.
"""

import os

from planning import settings as _project

# The project's settings, copied name by name (no star import).
globals().update({name: value for name, value in vars(_project).items() if name.isupper()})

ROOT_URLCONF = "bench.urls"
# Production serves collected static files through a manifest; the benchmark
# does not run collectstatic, so it uses the plain storage (the lookup a
# manifest adds is one dict access per {% static %}).
STORAGES = {
    **_project.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The endpoints are measured doing their work, not answering from the read cache
# (tracker/freshness.py): the same URL asked again would otherwise be a cache hit.
# The throughput's warm server turns it on (BENCH_READ_CACHE=1, bench/throughput.py).
TRACKER_READ_CACHE = os.environ.get("BENCH_READ_CACHE") == "1"
