/*
 * stock.h — the SKU catalog and on-hand stock per (SKU, warehouse), with
 * every change written to the ledger (SPEC §3, §4.1).
 *
 * A `struct tshop_stock` holds the prepared statements of one database
 * connection; create it once per command and use it for every record of a
 * batch inside the command's transaction.  Ledger entries carry the time
 * (tshop_now), the delta, the quantity after, the source ("set", "add",
 * "import", "order:ID", "cancel:ID", "sync") and a note.
 */
#ifndef TSHOP_STOCK_H
#define TSHOP_STOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "util.h"

#define TSHOP_WAREHOUSE_DEFAULT "default"

struct tshop_stock;

int tshop_stock_new(struct tshop_stock **s, struct tshop_db *db, struct tshop_err *e);
void tshop_stock_free(struct tshop_stock *s);

/* A catalog entry (NULL fields: not given). */
struct tshop_sku {
	const char *sku;	/* the seller SKU */
	const char *sku_id;	/* TikTok's SKU id */
	const char *product_id;
	const char *title;
	const char *category;
};

/*
 * Find a SKU by its seller SKU, else by its sku_id.  1 and *id when found,
 * 0 when not, -1 on a database error.
 */
int tshop_sku_lookup(struct tshop_stock *s, const char *name, int64_t *id, struct tshop_err *e);

/*
 * Add or update a catalog entry: matched by sku_id when given, else by sku
 * (a missing sku is the sku_id).  Given fields overwrite stored ones.  *created
 * says whether it is new.  A seller SKU already used by another entry is a
 * bad line (code 2).
 */
int tshop_sku_upsert(struct tshop_stock *s, const struct tshop_sku *k, int64_t *id,
    bool *created, struct tshop_err *e);

/* What a change did. */
struct tshop_stock_change {
	int64_t before, after;
	bool changed;
};

/* Set the on-hand quantity (the ledger gets an entry when it changed). */
int tshop_stock_set(struct tshop_stock *s, int64_t sku, const char *warehouse, int64_t qty,
    const char *source, const char *note, struct tshop_stock_change *out, struct tshop_err *e);

/*
 * Add `delta` (signed) to the on-hand quantity.  A result below zero is a
 * bad line (code 2) unless allow_negative (orders may oversell).
 */
int tshop_stock_add(struct tshop_stock *s, int64_t sku, const char *warehouse, int64_t delta,
    bool allow_negative, const char *source, const char *note,
    struct tshop_stock_change *out, struct tshop_err *e);

/*
 * One line of a bulk set or add (tshop_stock_apply): what it asks, and
 * what became of it.
 */
struct tshop_stock_op {
	const char *sku;		/* a seller SKU or sku_id; NULL: id is given */
	const char *warehouse;		/* NULL or "": TSHOP_WAREHOUSE_DEFAULT */
	int64_t qty;			/* the quantity, or with TSHOP_STOCK_ADD the delta */
	const char *source;		/* the ledger entry's source */
	/* results */
	int64_t id;			/* catalog id; 0: not in the catalog */
	bool created;			/* this line added the SKU to the catalog */
	struct tshop_stock_change change;
	char *error;			/* a bad line, why (the caller frees it); NULL: none */
};

#define TSHOP_STOCK_ADD			1u	/* ops carry deltas */
#define TSHOP_STOCK_CREATE		2u	/* add unknown SKUs to the catalog */
#define TSHOP_STOCK_ALLOW_NEGATIVE	4u

/*
 * Apply ops[0..n) as if one after the other, but in the order that is
 * fastest for the database: SKUs are looked up in name order, the
 * quantities read and written once per (SKU, warehouse) in catalog order;
 * the ledger gets its entries in the ops' order.  A line that cannot be
 * applied (an unknown SKU: id 0; a quantity below zero or out of range:
 * error set) changes nothing.  Returns -1 only on a database error.
 */
int tshop_stock_apply(struct tshop_stock *s, struct tshop_stock_op *ops, size_t n, unsigned flags,
    struct tshop_err *e);

/*
 * The newest ledger entry's number (0 for none): the cursor of the change
 * feed that `tshop-stock changes` and `tshop-sync push` read.
 */
int tshop_ledger_last(struct tshop_db *db, int64_t *id, struct tshop_err *e);

/* The seller SKU of an id, into buf; -1 when unknown. */
int tshop_sku_name(struct tshop_stock *s, int64_t id, struct tshop_buf *buf, struct tshop_err *e);

#endif
