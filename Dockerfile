# syntax=docker/dockerfile:1
# Build stage: a virtual environment with the project and its runtime dependencies only.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml ./
COPY app ./app
# Dependencies only: the code itself is copied below and found through PYTHONPATH, so
# seed_data/ and alembic/ sit next to it.
RUN pip install --upgrade pip && pip install . && pip uninstall --yes salon-backend

# Runtime stage: the venv, the code Alembic and the seed need, a non-root user.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH PYTHONPATH=/srv
RUN groupadd --system --gid 10001 salon \
    && useradd --system --uid 10001 --gid salon --home-dir /srv --no-create-home salon
WORKDIR /srv
COPY --from=build /opt/venv /opt/venv
COPY app ./app
COPY alembic ./alembic
COPY alembic.ini ./
COPY seed_data ./seed_data
RUN mkdir -p /srv/var && chown salon:salon /srv/var
USER salon
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status != 200)"
# The production process model: APP_WORKERS processes (default: one per core) on one socket,
# SIGTERM drains them (docker stop), SIGHUP restarts them one by one. X-Forwarded-For/-Proto
# are read by the app itself, and only from the peers listed in APP_TRUSTED_PROXIES (loopback
# by default): a header from anyone else is ignored, so the rate limits (login included)
# cannot be dodged by forging it. `serve` keeps uvicorn's own handling off.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "app.cli", "serve", "--host", "0.0.0.0", "--port", "8000"]
