/*
 * ordo_test.c: the C API as a C host uses it, run by tests/c.rs against the static and the
 * shared library (and under valgrind).
 *
 *   ordo_test DIR    DIR: an empty directory for the durable (sled) store
 *
 * Covers every op family (product, customer, order, payment, session, user, settings,
 * outbox), every error path of ordo_execute (NULL engine, request and response pointer,
 * malformed JSON, an unknown op, wrong types, invalid UTF-8, a huge and a deeply nested
 * request), the options of ordo_engine_open, and 4 threads ordering the last 10 units of a
 * product at once (exactly 10 single-unit orders succeed). Prints
 * "ordo_test: N checks passed" and exits 0, or names each failed check and exits 1.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ordo.h"

static int checks = 0;
static int failures = 0;

#define CHECK(condition, ...)                                          \
    do {                                                               \
        checks++;                                                      \
        if (!(condition)) {                                            \
            failures++;                                                \
            fprintf(stderr, "FAILED %s:%d: %s: ", __FILE__, __LINE__,  \
                    #condition);                                       \
            fprintf(stderr, __VA_ARGS__);                              \
            fputc('\n', stderr);                                       \
        }                                                              \
    } while (0)

/* Runs a request, checks its status, returns the response (caller frees it). */
static char *expect(OrdoEngine *engine, const char *request, int32_t want, int line) {
    char *response = NULL;
    int32_t status = ordo_execute(engine, request, &response);
    checks++;
    if (status != want || response == NULL) {
        failures++;
        fprintf(stderr, "FAILED line %d: status %d, wanted %d\n  request:  %.300s\n  response: %.600s\n",
                line, (int)status, (int)want, request ? request : "(NULL)",
                response ? response : "(NULL)");
    }
    return response;
}

/* Like expect, and frees the response; returns whether it contains `needle`. */
static int expect_has(OrdoEngine *engine, const char *request, int32_t want, const char *needle,
                      int line) {
    char *response = expect(engine, request, want, line);
    int found = response != NULL && strstr(response, needle) != NULL;
    checks++;
    if (!found) {
        failures++;
        fprintf(stderr, "FAILED line %d: no %s in %.600s\n", line, needle,
                response ? response : "(NULL)");
    }
    ordo_string_free(response);
    return found;
}

#define OK(engine, request, needle) expect_has(engine, request, ORDO_STATUS_OK, needle, __LINE__)
#define REFUSED(engine, request, status, code) \
    expect_has(engine, request, status, "\"code\":\"" code "\"", __LINE__)

/* The first number after "key": in a JSON text, or -1. */
static long json_number(const char *json, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *start = json ? strstr(json, pattern) : NULL;
    return start ? strtol(start + strlen(pattern), NULL, 10) : -1;
}

/* The first string value of "key" in a JSON text, copied into out (empty if none). */
static void json_string(const char *json, const char *key, char *out, size_t size) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    out[0] = '\0';
    const char *start = json ? strstr(json, pattern) : NULL;
    if (start == NULL) return;
    start += strlen(pattern);
    const char *end = strchr(start, '"');
    if (end == NULL || (size_t)(end - start) >= size) return;
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
}

static const char *PRODUCT =
    "{\"op\": \"product.create\", \"args\": {\"sku\": \"%s\", \"name\": \"Blue mug\","
    " \"description\": \"\", \"specifications\": [], \"media\": [], \"active\": true,"
    " \"tax_category\": \"standard\", \"base_price\": {\"amount\": \"12.50\", \"currency\": \"USD\"},"
    " \"price_lists\": [], \"backorder\": \"deny\"}}";

static const char *CUSTOMER =
    "{\"op\": \"customer.create\", \"args\": {\"name\": \"Ada Lovelace\", \"business\": null,"
    " \"phone\": \"%s\", \"email\": \"%s\", \"addresses\": [{\"recipient\": \"Ada Lovelace\","
    " \"line1\": \"12 St James's Square\", \"line2\": \"\", \"city\": \"London\", \"region\": \"\","
    " \"postal_code\": \"SW1Y 4JH\", \"country\": \"GB\"}]}}";

static const char *ORDER =
    "{\"op\": \"order.create\", \"args\": {\"customer\": %ld, \"items\": [{\"sku\": \"%s\","
    " \"quantity\": %d}], \"ship_to\": null, \"shipping\": \"standard\", \"payment\": \"card\","
    " \"discounts\": [], \"notes\": \"\", \"draft\": false, \"idempotency_key\": null}}";

/* Creates a product with `units` in stock and a customer; returns the customer id. */
static long shop(OrdoEngine *engine, const char *sku, int units, const char *phone,
                 const char *email) {
    char request[1024];
    snprintf(request, sizeof request, PRODUCT, sku);
    OK(engine, request, "\"sku\":\"");
    snprintf(request, sizeof request,
             "{\"op\": \"product.restock\", \"args\": {\"sku\": \"%s\", \"warehouse\": \"MAIN\","
             " \"quantity\": %d, \"reason\": \"delivery\"}}",
             sku, units);
    OK(engine, request, "\"on_hand\"");
    snprintf(request, sizeof request, CUSTOMER, phone, email);
    char *customer = expect(engine, request, ORDO_STATUS_OK, __LINE__);
    long id = json_number(customer, "id");
    CHECK(id > 0, "customer id in %s", customer ? customer : "(NULL)");
    ordo_string_free(customer);
    return id;
}

/* product, customer, order, payment: one happy path and a main refusal each. */
static void catalog_customers_orders_payments(OrdoEngine *engine) {
    long customer = shop(engine, "MUG-BLUE", 5, "+14155550100", "ada@example.com");
    OK(engine, "{\"op\": \"product.get\", \"args\": {\"sku\": \"MUG-BLUE\"}}", "\"Blue mug\"");
    OK(engine, "{\"op\": \"product.list\", \"args\": {\"limit\": 10}}", "MUG-BLUE");
    REFUSED(engine, "{\"op\": \"product.get\", \"args\": {\"sku\": \"NO-SUCH\"}}",
            ORDO_STATUS_NOT_FOUND, "not_found");
    char request[1024];
    snprintf(request, sizeof request, PRODUCT, "MUG-BLUE");
    expect_has(engine, request, ORDO_STATUS_CONFLICT, "\"kind\":\"conflict\"", __LINE__);

    snprintf(request, sizeof request, "{\"op\": \"customer.get\", \"args\": {\"id\": %ld}}",
             customer);
    OK(engine, request, "\"Ada Lovelace\"");
    OK(engine, "{\"op\": \"customer.get\", \"args\": {\"phone\": \"+14155550100\"}}",
       "\"Ada Lovelace\"");
    REFUSED(engine, "{\"op\": \"customer.get\", \"args\": {\"id\": 999999}}",
            ORDO_STATUS_NOT_FOUND, "not_found");

    snprintf(request, sizeof request, ORDER, customer, "MUG-BLUE", 2);
    char *created = expect(engine, request, ORDO_STATUS_OK, __LINE__);
    char reference[32];
    json_string(created, "reference", reference, sizeof reference);
    CHECK(strncmp(reference, "ORD-", 4) == 0, "reference in %s", created ? created : "(NULL)");
    ordo_string_free(created);
    snprintf(request, sizeof request, ORDER, customer, "MUG-BLUE", 4);
    REFUSED(engine, request, ORDO_STATUS_VALIDATION, "insufficient_stock");

    snprintf(request, sizeof request,
             "{\"op\": \"order.get\", \"args\": {\"reference\": \"%s\"}, \"extra\": {\"tag\": 42}}",
             reference);
    OK(engine, request, "\"extra\":{\"tag\":42}");
    OK(engine, "{\"op\": \"order.list\", \"args\": {\"status\": \"placed\"}}", reference);
    snprintf(request, sizeof request,
             "{\"op\": \"order.set_status\", \"args\": {\"order\": {\"reference\": \"%s\"},"
             " \"status\": \"confirmed\"}}",
             reference);
    OK(engine, request, "\"status\":\"confirmed\"");
    snprintf(request, sizeof request,
             "{\"op\": \"order.set_status\", \"args\": {\"order\": {\"reference\": \"%s\"},"
             " \"status\": \"delivered\"}}",
             reference);
    expect_has(engine, request, ORDO_STATUS_VALIDATION, "\"kind\":\"validation\"", __LINE__);

    snprintf(request, sizeof request,
             "{\"op\": \"payment.record\", \"args\": {\"order\": {\"reference\": \"%s\"},"
             " \"amount\": {\"amount\": \"10.00\", \"currency\": \"USD\"}, \"method\": \"card\","
             " \"external_reference\": \"pay-1\", \"idempotency_key\": \"pay-1\"}}",
             reference);
    OK(engine, request, "\"paid\":\"10.00\"");
    snprintf(request, sizeof request,
             "{\"op\": \"payment.record\", \"args\": {\"order\": {\"reference\": \"%s\"},"
             " \"amount\": {\"amount\": \"5000.00\", \"currency\": \"USD\"}, \"method\": \"card\","
             " \"external_reference\": \"\", \"idempotency_key\": null}}",
             reference);
    expect_has(engine, request, ORDO_STATUS_VALIDATION, "\"error\"", __LINE__);
    snprintf(request, sizeof request,
             "{\"op\": \"payment.refund\", \"args\": {\"order\": {\"reference\": \"%s\"},"
             " \"amount\": {\"amount\": \"4.00\", \"currency\": \"USD\"}, \"method\": \"card\","
             " \"external_reference\": \"\", \"idempotency_key\": null}}",
             reference);
    OK(engine, request, "\"refunded\":\"4.00\"");
}

/* session, user, settings, outbox. */
static void people_settings_outbox(OrdoEngine *engine) {
    OK(engine,
       "{\"op\": \"admin.init\", \"args\": {\"name\": \"Grace Hopper\", \"login\": \"grace\","
       " \"password\": \"correct horse battery\"}}",
       "\"grace\"");
    OK(engine,
       "{\"op\": \"user.add\", \"args\": {\"name\": \"Wes Store\", \"login\": \"wes\","
       " \"role\": \"warehouse\", \"password\": \"stacking crates daily\"}}",
       "\"warehouse\"");
    OK(engine, "{\"op\": \"user.list\"}", "\"wes\"");
    OK(engine, "{\"op\": \"user.set_role\", \"args\": {\"login\": \"wes\", \"role\": \"sales\"}}",
       "\"sales\"");
    REFUSED(engine, "{\"op\": \"user.disable\", \"args\": {\"login\": \"nobody\"}}",
            ORDO_STATUS_NOT_FOUND, "not_found");

    char *login = expect(engine,
                         "{\"op\": \"session.login\", \"args\": {\"login\": \"wes\","
                         " \"password\": \"stacking crates daily\"}}",
                         ORDO_STATUS_OK, __LINE__);
    char token[128];
    json_string(login, "token", token, sizeof token);
    CHECK(strlen(token) > 20, "token in %s", login ? login : "(NULL)");
    ordo_string_free(login);
    char request[512];
    /* As the signed-in sales user: the permission matrix applies (no settings changes). */
    snprintf(request, sizeof request,
             "{\"op\": \"settings.set\", \"args\": {\"changes\": [\"tax.standard=0.25\"]},"
             " \"session\": \"%s\"}",
             token);
    REFUSED(engine, request, ORDO_STATUS_FORBIDDEN, "forbidden");
    snprintf(request, sizeof request, "{\"op\": \"session.logout\", \"session\": \"%s\"}", token);
    OK(engine, request, "\"signed_out\":true");
    snprintf(request, sizeof request, "{\"op\": \"product.list\", \"session\": \"%s\"}", token);
    expect_has(engine, request, ORDO_STATUS_FORBIDDEN, "\"kind\":\"unauthenticated\"", __LINE__);
    REFUSED(engine,
            "{\"op\": \"session.login\", \"args\": {\"login\": \"wes\", \"password\": \"wrong one\"}}",
            ORDO_STATUS_FORBIDDEN, "wrong_login");

    OK(engine, "{\"op\": \"settings.get\"}", "\"tax");
    OK(engine, "{\"op\": \"settings.set\", \"args\": {\"changes\": [\"rounding=half-up\"]}}",
       "half-up");
    expect_has(engine, "{\"op\": \"settings.set\", \"args\": {\"changes\": [\"tax.standard=lots\"]}}",
               ORDO_STATUS_VALIDATION, "\"error\"", __LINE__);

    /* The order placed earlier left a notification delivery. */
    char *outbox = expect(engine, "{\"op\": \"outbox.list\"}", ORDO_STATUS_OK, __LINE__);
    long id = json_number(outbox, "id");
    CHECK(id > 0, "a delivery in %s", outbox ? outbox : "(NULL)");
    ordo_string_free(outbox);
    snprintf(request, sizeof request, "{\"op\": \"outbox.ack\", \"args\": {\"ids\": [%ld]}}",
             id);
    OK(engine, request, "\"acknowledged\":1");
    snprintf(request, sizeof request, "{\"op\": \"outbox.ack\", \"args\": {\"ids\": [%ld, 999999]}}",
             id);
    REFUSED(engine, request, ORDO_STATUS_NOT_FOUND, "not_found");
}

/* Every way a request can be bad: status 2 and an error object, never a crash. */
static void bad_requests(OrdoEngine *engine) {
    char *response = (char *)0x1; /* must be overwritten */
    int32_t status = ordo_execute(NULL, "{\"op\": \"product.list\"}", &response);
    CHECK(status == ORDO_STATUS_BAD_REQUEST, "NULL engine: %d", (int)status);
    CHECK(response != NULL && response != (char *)0x1 && strstr(response, "null_engine"),
          "NULL engine response");
    CHECK(strstr(ordo_last_error(), "engine is NULL") != NULL, "last error: %s",
          ordo_last_error());
    ordo_string_free(response);

    response = NULL;
    status = ordo_execute(engine, NULL, &response);
    CHECK(status == ORDO_STATUS_BAD_REQUEST, "NULL request: %d", (int)status);
    CHECK(response && strstr(response, "null_request"), "NULL request response");
    ordo_string_free(response);

    status = ordo_execute(engine, "{\"op\": \"product.list\"}", NULL);
    CHECK(status == ORDO_STATUS_BAD_REQUEST, "NULL response pointer: %d", (int)status);
    CHECK(strstr(ordo_last_error(), "response_json is NULL") != NULL, "last error: %s",
          ordo_last_error());

    REFUSED(engine, "{\"op\": \"product.list\"", ORDO_STATUS_BAD_REQUEST, "malformed_request");
    REFUSED(engine, "", ORDO_STATUS_BAD_REQUEST, "malformed_request");
    REFUSED(engine, "[1, 2, 3]", ORDO_STATUS_BAD_REQUEST, "malformed_request");
    REFUSED(engine, "{\"op\": \"product.fly\"}", ORDO_STATUS_BAD_REQUEST, "unknown_op");
    REFUSED(engine, "{\"op\": \"product.get\", \"args\": {\"sku\": 42}}", ORDO_STATUS_BAD_REQUEST,
            "invalid_arguments");
    REFUSED(engine, "{\"op\": 7}", ORDO_STATUS_BAD_REQUEST, "malformed_request");
    REFUSED(engine, "{\"op\": \"product.list\", \"args\": {\"limit\": \"ten\"}}",
            ORDO_STATUS_BAD_REQUEST, "invalid_arguments");
    REFUSED(engine, "{\"op\": \"product.list\", \"actor\": \"admin\"}", ORDO_STATUS_BAD_REQUEST,
            "malformed_request");
    REFUSED(engine, "{\"op\": \"product.get\", \"args\": {\"sku\": \"\xff\xfe\"}}",
            ORDO_STATUS_BAD_REQUEST, "invalid_utf8");
    REFUSED(engine, "{\"op\": \"product.\xc3\"}", ORDO_STATUS_BAD_REQUEST, "invalid_utf8");

    /* 2 MiB: more than a request may be. */
    size_t huge_size = 2u << 20;
    char *huge = malloc(huge_size + 1);
    CHECK(huge != NULL, "malloc");
    if (huge) {
        int prefix = snprintf(huge, huge_size, "{\"op\": \"product.list\", \"extra\": \"");
        memset(huge + prefix, 'x', huge_size - (size_t)prefix - 2);
        memcpy(huge + huge_size - 2, "\"}", 3);
        REFUSED(engine, huge, ORDO_STATUS_BAD_REQUEST, "request_too_large");
        free(huge);
    }

    /* 100 000 nested arrays: serde_json's recursion limit, not a stack overflow. */
    size_t depth = 100000;
    char *deep = malloc(2 * depth + 64);
    CHECK(deep != NULL, "malloc");
    if (deep) {
        int prefix = snprintf(deep, 64, "{\"op\": \"product.list\", \"extra\": ");
        memset(deep + prefix, '[', depth);
        memset(deep + prefix + depth, ']', depth);
        memcpy(deep + prefix + 2 * depth, "}", 2);
        REFUSED(engine, deep, ORDO_STATUS_BAD_REQUEST, "malformed_request");
        memset(deep, '[', depth);
        deep[depth] = '\0';
        REFUSED(engine, deep, ORDO_STATUS_BAD_REQUEST, "malformed_request");
        free(deep);
    }

    /* After all that the engine still answers, and the last error is cleared by success. */
    OK(engine, "{\"op\": \"product.list\"}", "\"items\"");
    CHECK(strcmp(ordo_last_error(), "") == 0, "last error after success: %s", ordo_last_error());
    ordo_engine_close(NULL);
    ordo_string_free(NULL);
}

/* ordo_engine_open's options. */
static void options(const char *dir) {
    CHECK(ordo_engine_open(NULL, "{\"store\": \"memory\", \"durabilty\": \"periodic\"}") == NULL,
          "unknown key accepted");
    CHECK(strstr(ordo_last_error(), "durabilty") != NULL, "unknown key not named: %s",
          ordo_last_error());
    CHECK(ordo_engine_open(NULL, NULL) == NULL, "sled without a directory");
    CHECK(strstr(ordo_last_error(), "data_dir is NULL") != NULL, "%s", ordo_last_error());
    CHECK(ordo_engine_open(dir, "{\"store\": 1}") == NULL, "store: 1");
    CHECK(ordo_engine_open(dir, "not json") == NULL, "not json");
    CHECK(ordo_engine_open(dir, "{\"actor_name\": \"\xff\"}") == NULL, "not UTF-8");
    CHECK(strstr(ordo_last_error(), "UTF-8") != NULL, "%s", ordo_last_error());

    /* A durable store keeps its data across a close; a second open of it is refused. */
    OrdoEngine *first = ordo_engine_open(dir, "{\"durability\": \"periodic\", \"actor_name\": \"pos-3\"}");
    CHECK(first != NULL, "open sled: %s", ordo_last_error());
    if (first == NULL) return;
    CHECK(strcmp(ordo_last_error(), "") == 0, "last error after open: %s", ordo_last_error());
    OrdoEngine *second = ordo_engine_open(dir, NULL);
    CHECK(second == NULL, "the same directory opened twice");
    CHECK(strstr(ordo_last_error(), "in use") != NULL, "%s", ordo_last_error());
    ordo_engine_close(second);
    char request[1024];
    snprintf(request, sizeof request, PRODUCT, "KEEP-ME");
    OK(first, request, "KEEP-ME");
    ordo_engine_close(first);
    OrdoEngine *again = ordo_engine_open(dir, NULL);
    CHECK(again != NULL, "reopen: %s", ordo_last_error());
    if (again == NULL) return;
    OK(again, "{\"op\": \"product.get\", \"args\": {\"sku\": \"KEEP-ME\"}}", "KEEP-ME");
    /* The audit trail names the actor_name given at open. */
    OK(again, "{\"op\": \"settings.set\", \"args\": {\"changes\": [\"rounding=half-up\"]}}", "");
    ordo_engine_close(again);
    again = ordo_engine_open(dir, "{\"actor_name\": \"pos-7\"}");
    CHECK(again != NULL, "reopen: %s", ordo_last_error());
    if (again == NULL) return;
    OK(again, "{\"op\": \"settings.set\", \"args\": {\"changes\": [\"rounding=half-even\"]}}", "");
    OK(again, "{\"op\": \"settings.history\"}", "pos-7");
    ordo_engine_close(again);
}

/* 4 threads × 5 single-unit orders for the last 10 units of one product. */
enum { THREADS = 4, ORDERS_PER_THREAD = 5, UNITS = 10 };

struct racer {
    OrdoEngine *engine;
    long customer;
    int placed;
    int out_of_stock;
    int other;
};

static void *race(void *argument) {
    struct racer *racer = argument;
    char request[1024];
    snprintf(request, sizeof request, ORDER, racer->customer, "LAST-UNITS", 1);
    for (int i = 0; i < ORDERS_PER_THREAD; i++) {
        char *response = NULL;
        int32_t status = ordo_execute(racer->engine, request, &response);
        if (status == ORDO_STATUS_OK && response && strstr(response, "\"reference\":\"ORD-")) {
            racer->placed++;
        } else if (status == ORDO_STATUS_VALIDATION && response &&
                   strstr(response, "\"code\":\"insufficient_stock\"")) {
            racer->out_of_stock++;
        } else {
            racer->other++;
            fprintf(stderr, "unexpected answer %d: %s\n", (int)status,
                    response ? response : "(NULL)");
        }
        ordo_string_free(response);
    }
    return NULL;
}

static void no_oversell(OrdoEngine *engine, const char *label) {
    long customer = shop(engine, "LAST-UNITS", UNITS, "+14155550199", "race@example.com");
    pthread_t threads[THREADS];
    struct racer racers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        racers[i] = (struct racer){engine, customer, 0, 0, 0};
        CHECK(pthread_create(&threads[i], NULL, race, &racers[i]) == 0, "pthread_create");
    }
    int placed = 0, out_of_stock = 0, other = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        placed += racers[i].placed;
        out_of_stock += racers[i].out_of_stock;
        other += racers[i].other;
    }
    CHECK(placed == UNITS, "%s: %d orders placed for %d units", label, placed, UNITS);
    CHECK(out_of_stock == THREADS * ORDERS_PER_THREAD - UNITS, "%s: %d refused", label,
          out_of_stock);
    CHECK(other == 0, "%s: %d other answers", label, other);
    OK(engine, "{\"op\": \"product.get\", \"args\": {\"sku\": \"LAST-UNITS\"}}",
       "\"reserved\":10");
    printf("%s: %d of %d orders placed, %d refused insufficient_stock\n", label, placed,
           THREADS * ORDERS_PER_THREAD, out_of_stock);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: ordo_test DIR\n");
        return 2;
    }
    CHECK(strlen(ordo_version()) > 0, "version");
    CHECK(ordo_api_version() == 1, "api version %u", (unsigned)ordo_api_version());

    OrdoEngine *memory = ordo_engine_open(NULL, "{\"store\": \"memory\", \"actor_name\": \"ordo_test\"}");
    CHECK(memory != NULL, "open memory: %s", ordo_last_error());
    if (memory == NULL) return 1;
    catalog_customers_orders_payments(memory);
    people_settings_outbox(memory);
    bad_requests(memory);
    no_oversell(memory, "memory store");
    ordo_engine_close(memory);

    options(argv[1]);
    OrdoEngine *sled = ordo_engine_open(argv[1], NULL);
    CHECK(sled != NULL, "open sled: %s", ordo_last_error());
    if (sled != NULL) {
        no_oversell(sled, "sled store");
        ordo_engine_close(sled);
    }

    if (failures > 0) {
        fprintf(stderr, "ordo_test: %d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("ordo_test: %d checks passed\n", checks);
    return 0;
}
