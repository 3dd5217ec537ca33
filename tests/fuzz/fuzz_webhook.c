/*
 * fuzz_webhook.c — the webhook handler (lib/webhook.h): the signature
 * check over the raw body, and tshop_webhook_record (JSON parsing, the
 * notification id, status changes merged into orders) on a scratch
 * database holding two orders.  Each input is recorded inside a
 * transaction that is rolled back, so every input meets the same state.
 * The first 64 bytes are also tried as the signature of the rest.
 * Properties: the right signature (computed here with OpenSSL) is
 * accepted and the same with one digit changed is not; a recorded event
 * has a notification id, a type that is -1 (none) or not negative, and a
 * known result; a refused one is bad input
 * (code 2) or a database error (3).
 */
#include <openssl/evp.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "fuzz.h"
#include "order.h"
#include "webhook.h"

static struct tshop_db *wh_db;
static struct tshop_orders *wh_orders;
static struct tshop_config wh_cfg;

static char wh_dir[] = "/tmp/tshop-fuzz-webhook.XXXXXX";

/* At exit: close the scratch database and remove it. */
static void
wh_cleanup(void)
{
	static const char *files[] = { "shop.db", "shop.db-wal", "shop.db-shm" };
	char path[256];

	tshop_orders_free(wh_orders);
	tshop_db_close(wh_db);
	tshop_config_release(&wh_cfg);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", wh_dir, files[i]);
		unlink(path);
	}
	rmdir(wh_dir);
}

static void
wh_setup(void)
{
	static const char *ids[] = { "576461413038785752", "576461413038785753" };
	char path[256];
	struct tshop_err e;
	struct tshop_order o;
	struct tshop_order_line line = { "MUG-1", NULL, "Mug", 2, 1998, true, NULL };
	struct tshop_merge m;

	if (mkdtemp(wh_dir) == NULL)
		abort();
	atexit(wh_cleanup);
	snprintf(path, sizeof(path), "%s/shop.db", wh_dir);
	if (tshop_db_open(&wh_db, path, TSHOP_DB_WRITE, &e) == -1 ||
	    tshop_config_load(wh_db, &wh_cfg, &e) == -1 ||
	    tshop_orders_new(&wh_orders, wh_db, &wh_cfg, &e) == -1 ||
	    tshop_db_begin(wh_db, &e) == -1) {
		fprintf(stderr, "fuzz_webhook: %s\n", e.msg);
		abort();
	}
	for (size_t i = 0; i < 2; i++) {
		tshop_order_init(&o);
		o.order_id = ids[i];
		o.status = TSHOP_AWAITING_SHIPMENT;
		o.created_at = 1700000000;
		o.update_time = 1700000000;
		o.lines = &line;
		o.nlines = 1;
		if (tshop_order_merge(wh_orders, &o, &m, &e) == -1) {
			fprintf(stderr, "fuzz_webhook: %s\n", e.msg);
			abort();
		}
	}
	if (tshop_db_commit(wh_db, &e) == -1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char key[] = "29a39d", secret[] = "e59af819cc";
	struct tshop_webhook_event ev;
	struct tshop_err e;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char sig[2 * EVP_MAX_MD_SIZE + 1], *head;
	EVP_MD_CTX *md;
	EVP_PKEY *pkey;
	size_t siglen = 0;

	if (wh_db == NULL)
		wh_setup();
	/* The signature check: the first 64 bytes as a signature of the rest. */
	if (size >= 64) {
		head = fuzz_cstr(data, 64);
		(void)tshop_webhook_signature_ok(key, secret, data + 64, size - 64, head);
		free(head);
	}
	/* The right signature of the whole input is accepted. */
	if ((pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_HMAC, NULL,
	    (const unsigned char *)secret, strlen(secret))) == NULL ||
	    (md = EVP_MD_CTX_new()) == NULL)
		abort();
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
	    EVP_DigestSignUpdate(md, key, strlen(key)) != 1 ||
	    EVP_DigestSignUpdate(md, data, size) != 1 ||
	    EVP_DigestSignFinal(md, NULL, &siglen) != 1 || siglen > sizeof(mac) ||
	    EVP_DigestSignFinal(md, mac, &siglen) != 1)
		abort();
	maclen = (unsigned int)siglen;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	for (unsigned int i = 0; i < maclen; i++)
		snprintf(sig + 2 * i, 3, "%02x", mac[i]);
	FUZZ_ASSERT(tshop_webhook_signature_ok(key, secret, data, size, sig));
	sig[0] = sig[0] == '0' ? '1' : '0';
	FUZZ_ASSERT(!tshop_webhook_signature_ok(key, secret, data, size, sig));

	/* Record the delivery, then forget it. */
	if (size > TSHOP_WEBHOOK_MAX_BODY)
		return 0;
	if (tshop_db_begin(wh_db, &e) == -1)
		abort();
	if (tshop_webhook_record(wh_db, wh_orders, (const char *)data, size, 1700003600,
	    &ev, &e) == 0) {
		FUZZ_ASSERT(ev.notification_id[0] != '\0');
		FUZZ_ASSERT(ev.type == -1 || ev.type >= 0);
		FUZZ_ASSERT(tshop_webhook_result_name(ev.result) != NULL);
	} else
		FUZZ_ASSERT(e.code == 2 || e.code == 3);
	tshop_db_rollback(wh_db);
	return 0;
}
