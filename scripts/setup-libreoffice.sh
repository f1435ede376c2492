# Sourced by test.sh: the council-PDF corpus tests (tests/test_council_pdf.py) make
# PDFs the way councils do -- a python-docx document with real tables, exported by
# LibreOffice Writer -- and the export tests open the PowerPoint file in Impress.
if ! command -v soffice >/dev/null; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        echo "Installing Debian's LibreOffice (writer, impress) for the PDF tests ..."
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            libreoffice-writer libreoffice-impress fonts-dejavu-core fonts-liberation >/dev/null
    else
        echo "warning: soffice missing and not root: the council-PDF tests will be skipped" >&2
    fi
fi
