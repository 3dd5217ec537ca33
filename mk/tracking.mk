# tracking.mk — compile the tracking_number_data courier files into the
# library.  Included at the end of the Makefile:
#
#	include mk/tracking.mk
#
# lib/tracking_data.c is generated (not committed): scripts/embed.c is
# built with the host compiler, run over data/tracking_number_data, and
# removed again.  The library's object list is read before this file, and
# on a clean tree the wildcard lib/*.c cannot see the generated source, so
# the object is added as a prerequisite of the archive here ($^ drops the
# duplicate once the file exists).  Uses the Makefile's lib/%.o rule.

HOSTCC        ?= cc
TRACKING_DIR   = data/tracking_number_data
TRACKING_NAMES = LICENSE $(patsubst $(TRACKING_DIR)/%,%,$(sort $(wildcard $(TRACKING_DIR)/couriers/*.json)))

lib/libtshop.a: lib/tracking_data.o

lib/tracking_data.c: scripts/embed.c mk/tracking.mk $(addprefix $(TRACKING_DIR)/,$(TRACKING_NAMES))
	$(HOSTCC) -o $@.embed scripts/embed.c
	./$@.embed -o $@.tmp -d $(TRACKING_DIR) $(TRACKING_NAMES); \
	rc=$$?; rm -f $@.embed; [ $$rc -eq 0 ] && mv $@.tmp $@ || { rm -f $@.tmp; exit 1; }

clean: clean-tracking
clean-tracking:
	rm -f lib/tracking_data.c lib/tracking_data.c.tmp lib/tracking_data.c.embed

.PHONY: clean-tracking
