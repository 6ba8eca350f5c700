# The two commands of the README: `make demo` and `make test`. Everything else is optional.
MVN ?= mvn -B
ARGS ?=

.PHONY: demo test build package bench clean

## demo: build, then embedded broker + generator + attribution + report, end to end
demo: build
	bin/adlake demo $(ARGS)

## test: the whole suite: unit and integration tests against a real broker, Spark and Iceberg (surefire),
## then the packaged jar under spark-submit (failsafe, *IT)
test:
	$(MVN) verify

## build: compile and package (the shaded cluster jar is target/adlake-<version>.jar)
build:
	$(MVN) -q -DskipTests package

package: build

## bench: throughput of plain append vs attribution, and MERGE scaling (prints figures)
bench: build
	bin/adlake bench $(ARGS)

clean:
	$(MVN) -q clean
	rm -rf data
