# Sourced by test.sh: the browser tests drive Debian's Chromium through Playwright
# (never `playwright install`, which downloads a browser and fails offline).
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        echo "Installing Debian's chromium for the browser tests ..."
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
        echo "warning: /usr/bin/chromium missing and not root: browser tests will be skipped" >&2
    fi
fi
