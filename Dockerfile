# digestbot: slim Python, a non-root user, the SQLite file on the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DIGESTBOT_DB=/data/digestbot.sqlite3

# The locked dependencies first, each checked against its hash: a layer that changes only
# with the lock. It holds the build backend too, so building the package fetches nothing.
COPY requirements/run.txt /tmp/digestbot/requirements/run.txt
RUN pip install --require-hashes -r /tmp/digestbot/requirements/run.txt
COPY pyproject.toml README.md /tmp/digestbot/
COPY bot /tmp/digestbot/bot
COPY storage /tmp/digestbot/storage
COPY locales /tmp/digestbot/locales
# The sources go once installed, so the catalog check below reads the installed package:
# a translation that fails to compile fails the build, not a reply.
RUN pip install --no-deps --no-build-isolation /tmp/digestbot \
    && rm -rf /tmp/digestbot \
    && cd / && python -c "from bot import i18n; i18n.load_all()" \
    && useradd --system --uid 10001 --home-dir /data digestbot \
    && mkdir -p /data && chown digestbot /data

USER digestbot
WORKDIR /data
VOLUME ["/data"]
# Only in webhook mode (DIGESTBOT_WEBHOOK_URL set); polling needs no open port.
EXPOSE 8443
# SIGTERM stops polling or the webhook server, then closes the database.
STOPSIGNAL SIGTERM
CMD ["digestbot", "run"]
