# syntax=docker/dockerfile:1
# The task runner (git, ansible-playbook, ssh; no database access). Build from the repository root:
#   docker build -f docker/runner.Dockerfile -t semaphore-runner .

# ---- build: all dependencies, compile TypeScript to dist/ ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
# Only what the compiler needs: never the host's node_modules, dist or secrets.
COPY tsconfig.base.json tsconfig.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build

# ---- runtime: task tools, production dependencies and dist/ only, non-root ----
FROM node:20-bookworm-slim AS runtime
# tini as PID 1: forwards SIGTERM (draining) to node and reaps the orphans of task processes.
RUN apt-get update \
  && apt-get install -y --no-install-recommends ansible-core ca-certificates git openssh-client tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
# The code stays owned by root (read-only for the runner). Writable: HOME (ansible, ssh), the task directory and the
# runner token's directory.
RUN groupadd --gid 1001 semaphore \
  && useradd --uid 1001 --gid 1001 --create-home --home-dir /home/semaphore --shell /usr/sbin/nologin semaphore \
  && install -d -o 1001 -g 1001 -m 0700 /var/lib/semaphore-runner /tmp/semaphore-runner
ENV HOME=/home/semaphore \
  SEMAPHORE_TMP_PATH=/tmp/semaphore-runner \
  SEMAPHORE_RUNNER_TOKEN_FILE=/var/lib/semaphore-runner/runner.token
USER 1001:1001
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/runner/src/main.js"]
