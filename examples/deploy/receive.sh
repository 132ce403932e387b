#!/bin/sh
# Site host: turn delivered bundles into a new site release and swap it in atomically.
# Run it after each delivery (cron a few minutes after the export, or a systemd .path unit on
# incoming/). Layout under $BASE (default /srv/site):
#   incoming/<run>/        bundles as rsync delivered them (rrsync -wo, see authorized_keys)
#   site/                  the Hugo site (config, layouts/themes); its content comes from below
#   releases/<stamp>/      content/ + public/ of one release
#   current -> releases/<stamp>/public   (what the web server serves; swapped with one rename)
#   applied.list           run ids already applied, in order
# A bundle is used only when `sha256sum -c SHA256SUMS` passes, so a half-copied bundle (a
# dropped connection) is left for the next delivery to complete. Bundles apply in run-id order;
# each item folder replaces the release's folder wholesale, so takedowns (draft pages) and
# corrections land where the old page was.
set -eu
BASE=${BASE:-/srv/site}
HUGO=${HUGO:-hugo}
KEEP=${KEEP:-5}
cd "$BASE"
mkdir -p incoming releases
touch applied.list
exec 9>"$BASE/.receive.lock"
flock -n 9 || { echo "receive: another run holds the lock" >&2; exit 0; }

new=""
for b in $(ls -1 incoming | grep -E '^[0-9]{8}T[0-9]{9}Z-[0-9]+(-[0-9]+)?$' | sort); do
    grep -qx "$b" applied.list && continue
    if ! (cd "incoming/$b" && sha256sum -c --quiet SHA256SUMS >/dev/null 2>&1); then
        echo "receive: $b incomplete or damaged, waiting for the next delivery" >&2
        break   # keep the order: later bundles wait for this one
    fi
    new="$new $b"
done
[ -n "$new" ] || { echo "receive: nothing new" >&2; exit 0; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
rel="releases/$stamp"
mkdir -p "$rel"
if [ -L current ] && [ -d "$(readlink -f current)/../content" ]; then
    cp -al "$(readlink -f current)/../content" "$rel/content"   # hard links: cheap
else
    mkdir -p "$rel/content"
fi
for b in $new; do
    for d in "incoming/$b"/content/*/*/; do
        [ -d "$d" ] || continue
        rel_item=${d#incoming/$b/content/}
        rm -rf "$rel/content/$rel_item"
        mkdir -p "$rel/content/$rel_item"
        cp -r "$d". "$rel/content/$rel_item"
    done
    echo "receive: applied $b" >&2
done
"$HUGO" --quiet --source site --contentDir "$BASE/$rel/content" --destination "$BASE/$rel/public"
ln -sfn "$rel/public" current.new
mv -T current.new current              # one rename: the site switches in one step
for b in $new; do echo "$b" >> applied.list; done
echo "receive: release $stamp is live" >&2
# Keep the last $KEEP releases.
ls -1d releases/* | sort | head -n -"$KEEP" | xargs -r rm -rf
