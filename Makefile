# The two commands of the README: `make demo` and `make test`. Everything else is optional.
MVN ?= mvn -B
ARGS ?=

.PHONY: demo test format faults build package bench bench-peers soak conf clean

## demo: build, then embedded broker + generator + attribution + report, end to end, on Spark 4.1;
## make demo SPARK=3.5 (or 4.0) runs it on that Spark line
SPARK ?= 4.1
demo: build
	ADLAKE_SPARK=$(SPARK) bin/adlake demo $(ARGS)

## test: the prerequisites (bin/check-prerequisites: JDK 17, Maven, Node.js + npm, a JDK >= 24.0.1 for Trino),
## the formatting check, then the whole suite: unit and integration tests against a real broker, Spark and
## Iceberg (surefire), then the packaged jar under spark-submit (failsafe, *IT)
test:
	@bin/check-prerequisites
	$(MVN) spotless:check verify

## format: apply the project's formatting (google-java-format) to every Java source
format:
	$(MVN) -q spotless:apply

## faults: the long fault suite (README "Fault suite"): crash + restart at >= 20 random kill points and every
## crash point, broker outages, maintenance passes under load; then the table of rows expected, found, lost and
## duplicated per test. FAULTS=CrashRestartTest runs one scenario; FAULTS_SEED=N replays a crash schedule.
faults:
	rm -rf target/faults
	$(MVN) -pl adlake-cluster -am test-compile surefire:test@faults -Dsurefire.failIfNoSpecifiedTests=false \
	  -Dadlake.faults.long=true $(if $(FAULTS),-Dadlake.faults.tests=$(FAULTS)) \
	  $(if $(FAULTS_SEED),-Dadlake.faults.seed=$(FAULTS_SEED)); \
	  status=$$?; $${JAVA_HOME:+$$JAVA_HOME/bin/}java -cp adlake-cluster/target/test-classes io.adlake.faults.FaultTable; \
	  exit $$status

## build: compile and package every module: one shaded cluster jar per Spark line,
## target/adlake-<version>-spark4.1_2.13.jar, -spark4.0_2.13.jar and -spark3.5_2.12.jar
build:
	$(MVN) -q -DskipTests package

package: build

## bench: throughput of plain append vs attribution, and MERGE scaling (prints figures)
bench: build
	ADLAKE_SPARK=$(SPARK) bin/adlake bench $(ARGS)

## bench-peers: adlake against Flink SQL (attribution) and Iceberg's Kafka Connect sink (ingest) on the same events,
## each in its own JVM, alternating rounds; prints throughput, CPU per million events, peak RSS, freshness and the
## ratios (docs/benchmarks.md#peers). Builds the peer modules (-Ppeers) first. ARGS="--rounds 1" for a quick look.
bench-peers:
	$(MVN) -q -Ppeers -DskipTests package
	ADLAKE_SPARK=4.1 bin/adlake bench-peers $(ARGS)

## soak: the whole pipeline (run: ingest, attribution, conversions, aggregate) with an interval trigger for MINUTES
## (30) on the embedded broker, fed at a constant rate; prints a row a minute (heap after a full GC, open files,
## state, rates, Kafka lag, batch times, freshness) and a trend per series at the end (docs/benchmarks.md#soak)
MINUTES ?= 30
soak: build
	ADLAKE_SPARK=$(SPARK) bin/adlake soak --minutes $(MINUTES) $(ARGS)

## conf: render conf/application.conf from the setting declarations in
## adlake-cluster/src/main/java/io/adlake/config/AdlakeConfig.java (a test fails while the two differ)
conf:
	$(MVN) -q -pl adlake-cluster -am compile
	$${JAVA_HOME:+$$JAVA_HOME/bin/}java -cp adlake-cluster/target/classes io.adlake.config.ApplicationConf conf/application.conf

clean:
	$(MVN) -q clean
	rm -rf data

## ---- Local container stack (docker-compose.yml): Spark + Jupyter, Iceberg REST catalog, SeaweedFS (S3), Kafka ----
COMPOSE ?= docker compose
JOB ?= run
# The stack's image runs Spark 3.5 / Scala 2.12: the 3.5 line's cluster jar.
ADLAKE_JAR := target/adlake-0.1.0-spark3.5_2.12.jar
# The paths docker-compose.yml mounts the jar and conf/ at inside the spark-iceberg container.
STACK_JAR := /opt/adlake/adlake.jar
STACK_ENV := /opt/adlake/conf/docker.conf
# adlake's log4j configuration (adlake-cluster/src/launcher/log4j2.properties), mounted there by docker-compose.yml.
STACK_LOG4J := /opt/adlake/log4j2.properties
# A pseudo-terminal only when there is one (Ctrl-C then reaches spark-submit); none under CI or pipes.
EXEC_TTY := $(shell [ -t 0 ] || echo -T)

# Every stack target starts with this: a clear message instead of docker's own when compose or the engine is missing.
define require_compose
	@$(COMPOSE) version >/dev/null 2>&1 || { echo "make $@: '$(COMPOSE)' is not available. Install Docker with the Compose v2 plugin (or set COMPOSE=...). Without Docker, 'make demo' runs everything embedded." >&2; exit 1; }
	@docker info >/dev/null 2>&1 || { echo "make $@: no Docker engine answers ('docker info' fails). Start Docker, then run make $@ again." >&2; exit 1; }
endef

.PHONY: up submit trino down down-volumes

## up: build the jar if it is missing, start the stack, return when every service is healthy
up:
	$(require_compose)
	@test -f $(ADLAKE_JAR) || $(MAKE) build
	$(COMPOSE) up -d --wait
	@# A rebuilt jar is a new file; the container still sees the one it was started with until recreated.
	@if [ "$$($(COMPOSE) exec -T spark-iceberg cksum $(STACK_JAR) | cut -d' ' -f1,2)" != "$$(cksum < $(ADLAKE_JAR) | cut -d' ' -f1,2)" ]; then \
	  echo "make up: $(ADLAKE_JAR) changed since spark-iceberg started; recreating it"; \
	  $(COMPOSE) up -d --wait --force-recreate --no-deps spark-iceberg; fi
	@echo "Stack up. Jupyter: http://127.0.0.1:8888  S3 API (SeaweedFS): http://127.0.0.1:8333  Kafka from the host: 127.0.0.1:9092"
	@echo "Trino: http://127.0.0.1:8080 (jdbc:trino://127.0.0.1:8080/iceberg/adlake)  Superset: http://127.0.0.1:8088  CloudBeaver: http://127.0.0.1:8978"
	@echo "Schema registry (Confluent-compatible, Apicurio): http://127.0.0.1:8081/apis/ccompat/v7"

## submit: spark-submit JOB (run, ingest, attribute, aggregate, generate, report) inside spark-iceberg, e.g.
##   make submit JOB=generate ARGS="--count 100000"
##   make submit JOB=run ARGS="--trigger available-now"
submit:
	$(require_compose)
	@if [ "$$($(COMPOSE) exec -T spark-iceberg cksum $(STACK_JAR) | cut -d' ' -f1,2)" != "$$(cksum < $(ADLAKE_JAR) | cut -d' ' -f1,2)" ]; then \
	  echo "make submit: the stack is not up, or it runs an older $(ADLAKE_JAR): run 'make up' first." >&2; exit 1; fi
	$(COMPOSE) exec $(EXEC_TTY) spark-iceberg spark-submit --driver-java-options "-Dlog4j2.configurationFile=file:$(STACK_LOG4J)" --class io.adlake.cli.Main $(STACK_JAR) $(JOB) --env $(STACK_ENV) $(ARGS)

## trino: run report queries of athena/ (Athena / Trino dialect) on the stack's Trino, with its own CLI; all of
## them by default, or some: make trino QUERIES="funnel/5_full_funnel.sql metrics/funnel_by_publisher.sql"
QUERIES ?= $(patsubst athena/%,%,$(sort $(wildcard athena/*/*.sql)))
# Where docker-compose.yml mounts athena/ in the trino container.
STACK_ATHENA := /opt/adlake/athena
trino:
	$(require_compose)
	@$(COMPOSE) exec -T trino trino --execute "SELECT 1" >/dev/null 2>&1 || { echo "make trino: the stack's Trino does not answer ('$(COMPOSE) exec trino trino' fails): run 'make up' first, and 'make submit JOB=run ARGS=\"--trigger available-now\"' to fill the tables." >&2; exit 1; }
	@for query in $(QUERIES); do \
	  echo "== $$query"; \
	  $(COMPOSE) exec -T trino trino --catalog iceberg --output-format ALIGNED --file $(STACK_ATHENA)/$$query || exit 1; \
	done

## down: stop and remove the containers; the volumes (tables, topics, checkpoints, catalog) stay for the next 'make up'
down:
	$(require_compose)
	$(COMPOSE) down

## down-volumes: stop the stack AND DELETE its volumes: every table, topic, checkpoint and the catalog
down-volumes:
	$(require_compose)
	$(COMPOSE) down --volumes
