# syntax=docker/dockerfile:1
# The reconcile CLI in a small image: built in one stage, its production dependencies installed in
# another, run in a third as the unprivileged `node` user (uid 1000).
#
#   docker build -t pg-index-reconciler .
#   docker run --rm -e DATABASE_URL -v "$PWD:/work" pg-index-reconciler plan -f indexes.yaml
#
# The image has no embedded PostgreSQL (--embedded): its binaries are 60 MB of glibc programs that only
# demos and tests use, so the optional packages that carry them are left out.

FROM node:20-alpine AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
# Scripts off: the prepare script (tsc) needs the sources, which come next.
RUN npm ci --no-audit --no-fund --ignore-scripts --omit=optional
COPY schema ./schema
COPY src ./src
RUN npm run build

FROM node:20-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts --omit=dev --omit=optional && npm cache clean --force

FROM node:20-alpine
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY schema ./schema
RUN chmod 0755 /app/dist/cli.js && ln -s /app/dist/cli.js /usr/local/bin/reconcile
USER node
WORKDIR /work
# Exec form: the CLI is the container's first process and gets SIGTERM itself, so a stopped pod cancels
# its builds and drops what they left.
ENTRYPOINT ["reconcile"]
CMD ["--help"]
