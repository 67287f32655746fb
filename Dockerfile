# quizbot container image: `quizbot run` as a non-root user, the database on the /data volume.
#
#   docker build -t quizbot .
#   docker run -d --name quizbot --restart unless-stopped -e TELEGRAM_BOT_TOKEN \
#     -v quizbot-data:/data quizbot
#
# Stage 1 builds the wheel from the sources alone; stage 2 installs that wheel into a clean slim
# Python, so the image holds no build tools, no tests and no .git. tests/ops/test_ops_install.py
# runs the same wheel -> clean venv -> quizbot commands path without Docker.

FROM python:3.11-slim AS build
WORKDIR /src
# only what the wheel is built from (see .dockerignore, which also keeps .env and data out)
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY scheduler ./scheduler
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    QUIZBOT_DB=/data/quizbot.db \
    QUIZBOT_QUESTIONS=/app/questions
# a fixed uid/gid so a bind-mounted /data can be chowned to it on the host (chown 10001 ...)
RUN groupadd --system --gid 10001 quizbot \
    && useradd --system --uid 10001 --gid quizbot --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin quizbot \
    && mkdir -p /data /app \
    && chown quizbot:quizbot /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
# the bank is baked in; mount a directory over /app/questions to replace it
COPY questions /app/questions
COPY quizbot.example.yaml /app/quizbot.example.yaml
WORKDIR /app
USER 10001:10001
VOLUME ["/data"]
# quizbot stops adapters, drains pending writes and closes the database on SIGTERM in < 10 s
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["quizbot", "health"]
ENTRYPOINT ["quizbot"]
CMD ["run"]
