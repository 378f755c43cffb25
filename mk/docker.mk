# Docker targets. Included by the main Makefile: `include mk/docker.mk`.
#
#   make docker-env     create .env.docker (git-ignored) with a random JWT secret, once
#   make docker-up      build and start db, api and web (docker compose, detached)
#   make docker-down    stop the stack (the database volume is kept)
#   make docker-check   validate docker-compose.yml (schema + env contract); no Docker needed
#
# See docs/DOCKER.md.

DOCKER_ENV_FILE ?= .env.docker
DOCKER_COMPOSE  ?= docker compose

.PHONY: docker-env docker-up docker-down docker-check

docker-env:
	@if [ -f "$(DOCKER_ENV_FILE)" ]; then \
		echo "$(DOCKER_ENV_FILE) exists; keeping it"; \
	else \
		secret=$$(openssl rand -hex 48 2>/dev/null || head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n'); \
		if [ $${#secret} -ne 96 ]; then echo "docker-env: could not generate a random secret" >&2; exit 1; fi; \
		umask 077; \
		{ \
			echo "# Local settings for docker compose (make docker-env). Never commit this file."; \
			echo "MYRELAY_JWT_SECRET=$$secret"; \
			echo "# Optional, see .env.example and docs/DOCKER.md:"; \
			echo "# MYRELAY_ADMIN_EMAIL=admin@example.com"; \
			echo "# MYRELAY_ADMIN_PASSWORD="; \
			echo "# REDIS_URL=redis://redis:6379   # with --profile multi"; \
		} > "$(DOCKER_ENV_FILE)"; \
		echo "wrote $(DOCKER_ENV_FILE) (random MYRELAY_JWT_SECRET, mode 600)"; \
	fi

docker-up: docker-env
	@command -v docker >/dev/null 2>&1 || { echo "docker-up: no docker CLI on this machine" >&2; exit 1; }
	$(DOCKER_COMPOSE) --env-file $(DOCKER_ENV_FILE) up -d --build

docker-down:
	$(DOCKER_COMPOSE) --env-file $(DOCKER_ENV_FILE) down

docker-check:
	bash scripts/check-compose.sh
