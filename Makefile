# Makefile for tec_sovereignty (PGXS)
#
# The install script sql/tec_sovereignty--1.0.sql is assembled from the
# fragments in sql/parts/ (one per subsystem, applied in name order) so that
# each concern keeps its SQL next to its C file's name; see README.md.

EXTENSION  = tec_sovereignty
MODULE_big = tec_sovereignty
OBJS       = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
PGFILEDESC = "tec_sovereignty - database sovereignty for PostgreSQL"

DATA_built = sql/$(EXTENSION)--1.0.sql

# pg_regress suites: init first (creates the extension), then one file per
# feature in name order; each file cleans up after itself.
REGRESS      = init $(filter-out init $(EXTENSION)--%,$(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql))))

ISOLATION      = $(patsubst test/specs/%.spec,%,$(sort $(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test

TAP_TESTS   = 1
PROVE_TESTS = $(sort $(wildcard test/t/*.pl))

PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS   = -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

sql/$(EXTENSION)--1.0.sql: $(sort $(wildcard sql/parts/*.sql))
	cat $^ > $@

# The commands of the README.
.PHONY: demo test test-core
demo:
	bash test/demo.sh

test:
	bash test/run_tests.sh

# PostgreSQL's own regress and isolation suites with and without the library
# (test/core/run.sh).  TESTS="join_hash deadlock-parallel" runs only those
# tests; CORE_BASELINE=reuse takes the baseline from the cache.
test-core:
	bash test/core/run.sh $(if $(TESTS),--tests "$(TESTS)") $(if $(filter reuse,$(CORE_BASELINE)),--reuse-baseline)

# PGXS does not track header dependencies: a changed shared-memory struct
# in a header must rebuild every object that uses it.
$(OBJS): $(wildcard src/*.h)
