# digestbot: slim Python, a non-root user, the SQLite file on the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DIGESTBOT_DB=/data/digestbot.sqlite3

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY storage ./storage
COPY locales ./locales
# The catalogs are compiled here once, so a broken translation fails the build, not a reply.
RUN pip install . \
    && python -c "from bot import i18n; i18n.load_all()" \
    && useradd --system --uid 10001 --home-dir /data digestbot \
    && mkdir -p /data && chown digestbot /data

USER digestbot
VOLUME ["/data"]
# Only in webhook mode (DIGESTBOT_WEBHOOK_URL set); polling needs no open port.
EXPOSE 8443
# SIGTERM stops polling or the webhook server, then closes the database.
STOPSIGNAL SIGTERM
CMD ["digestbot", "run"]
