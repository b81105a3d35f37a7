# One image for every provnews process: `provnews serve ingest|extract|indexer|query|alerts`,
# and the one-shot `provnews setup` (topics, index templates, indices, aliases) and `provnews kibana-setup`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PROVNEWS_HOST=0.0.0.0 \
    PROVNEWS_EMBEDDED_BROKER=false \
    PROVNEWS_DATA_DIR=/data \
    PROVNEWS_DEPLOY_DIR=/app/deploy

WORKDIR /app
RUN useradd --system --uid 10001 --no-create-home --home-dir /app provnews \
    && mkdir -p /data && chown provnews /data

# The dependencies first, from pyproject.toml alone, in a layer of their own: a code edit reuses it.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Then the code itself (the repository root is the import root), its dependencies already there.
COPY README.md ./
COPY provnews/ provnews/
COPY common/ common/
COPY schemas/ schemas/
COPY services/ services/
RUN pip install --no-deps .

# Index templates and Kibana saved objects (PROVNEWS_DEPLOY_DIR), and the sample articles.
COPY deploy/ deploy/
COPY seeds/ seeds/

USER provnews
EXPOSE 8000 8001 8002 8003 8004 8005
ENTRYPOINT ["provnews"]
CMD ["serve", "query"]
