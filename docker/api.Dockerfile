# syntax=docker/dockerfile:1
# The api (HTTP + WebSocket). Build from the repository root:
#   docker build -f docker/api.Dockerfile -t semaphore-api .

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

# ---- runtime: production dependencies and dist/ only, non-root ----
FROM node:20-bookworm-slim AS runtime
# tini as PID 1: forwards SIGTERM to node and reaps orphaned children.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
# The code stays owned by root (read-only for the app); uid 1001 only writes to /tmp.
RUN groupadd --gid 1001 semaphore \
  && useradd --uid 1001 --gid 1001 --create-home --home-dir /home/semaphore --shell /usr/sbin/nologin semaphore
USER 1001:1001
EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/api/src/main.js"]
