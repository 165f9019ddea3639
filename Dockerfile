# Production image: gunicorn serves the app, whitenoise the static files.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/build-assets.mjs ./scripts/
COPY static/src ./static/src
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/venv PATH=/venv/bin:$PATH
# WeasyPrint needs Pango; fonts for the PDFs; HarfBuzz-Subset to subset them (in Python, without
# it, every PDF takes about 0.35 s longer).
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock ./
# The product's dependencies only: no dev tools, no embedded servers (the `local` group).
RUN uv sync --frozen --no-default-groups --no-install-project
COPY . .
COPY --from=assets /app/static/dist ./static/dist
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost DJANGO_SETTINGS_MODULE=publicprotection.settings.production \
    python manage.py collectstatic --no-input
RUN useradd --system --uid 1000 app && mkdir -p /app/var/private && chown -R app /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "publicprotection.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
