#!/bin/sh
# The superset service's entrypoint (docker-compose.yml). On the first start, with /app/superset_home on the
# superset-home volume: installs the Trino SQLAlchemy driver (the apache/superset image carries none) into the
# user site of that volume, creates the metadata database and the admin user, and imports the dashboard bundle
# adlake_dashboard/ (the Trino database connection "adlake Trino", four datasets, four charts: bid requests by
# country, the fill/win/CTR funnel by publisher, revenue over time, the engagement histogram). Later starts
# skip all of that. Then it runs the image's own server script.
set -eu

home=/app/superset_home
marker="$home/.adlake-bootstrapped"
bundle_dir=/opt/adlake/superset

if ! python -c "import trino.sqlalchemy" 2>/dev/null; then
  echo "superset bootstrap: installing trino==$TRINO_PYTHON_CLIENT_VERSION (SQLAlchemy dialect trino://)"
  pip install --user --no-cache-dir --quiet "trino[sqlalchemy]==$TRINO_PYTHON_CLIENT_VERSION"
fi

if [ ! -f "$marker" ]; then
  echo "superset bootstrap: first start: metadata database, admin user, Trino connection and dashboard"
  superset db upgrade
  superset fab create-admin --username "$SUPERSET_ADMIN_USER" --password "$SUPERSET_ADMIN_PASSWORD" \
    --firstname adlake --lastname admin --email admin@adlake.invalid
  superset init
  # An import bundle is a zip with one top-level directory.
  python -c "import shutil; shutil.make_archive('/tmp/adlake_dashboard', 'zip', '$bundle_dir', 'adlake_dashboard')"
  superset import-dashboards --path /tmp/adlake_dashboard.zip --username "$SUPERSET_ADMIN_USER"
  touch "$marker"
fi

exec /usr/bin/run-server.sh
