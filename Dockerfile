# One image for every app; the service's command picks which one runs.
FROM node:24-bookworm-slim
RUN corepack enable && corepack prepare pnpm@12 --activate
WORKDIR /srv/frameport
COPY . .
RUN pnpm install --frozen-lockfile
ENV HOST=0.0.0.0 NODE_ENV=production
