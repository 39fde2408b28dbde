/*
 * track.c: embed ordo in a C program. Opens a store, creates a product, a customer and an
 * order with ordo-api requests, then tracks the order by its reference and prints it.
 *
 *   cargo build -p ordo-ffi
 *   cc -Ibindings/include bindings/examples/track.c -Ltarget/debug -lordo_ffi \
 *      -Wl,-rpath,"$PWD/target/debug" -o track                      # shared library
 *   cc -Ibindings/include bindings/examples/track.c target/debug/libordo_ffi.a \
 *      -lgcc_s -lpthread -ldl -lm -o track                            # static library
 *   ./track              # an in-memory store
 *   ./track ordo-data    # a durable store in ./ordo-data
 *
 * Prints the order's reference, status and total, then the whole order as JSON. Run
 * again on the same store, it finds the product and the customer and gets the same order
 * back (the request's idempotency key).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ordo.h"

/* Runs one request; prints the error and exits unless its status is ORDO_STATUS_OK or
 * `also` (-1: none). The caller frees the returned response with ordo_string_free. */
static char *call_allowing(OrdoEngine *engine, const char *request, int32_t also,
                           int32_t *status_out) {
    char *response = NULL;
    int32_t status = ordo_execute(engine, request, &response);
    if (status_out) *status_out = status;
    if (status != ORDO_STATUS_OK && status != also) {
        fprintf(stderr, "request failed with status %d: %s\n  %s\n", (int)status,
                ordo_last_error(), response ? response : "(no response)");
        ordo_string_free(response);
        ordo_engine_close(engine);
        exit(1);
    }
    return response;
}

static char *call(OrdoEngine *engine, const char *request) {
    return call_allowing(engine, request, -1, NULL);
}

/* Copies the first string value of "key" in a JSON text into out (a tiny reader, enough
 * for the flat fields this example needs; a real host uses its JSON library). */
static int json_string(const char *json, const char *key, char *out, size_t size) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *start = strstr(json, pattern);
    if (start == NULL) return 0;
    start += strlen(pattern);
    const char *end = strchr(start, '"');
    if (end == NULL || (size_t)(end - start) >= size) return 0;
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
    return 1;
}

/* The first number value of "key" in a JSON text. */
static long json_number(const char *json, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *start = strstr(json, pattern);
    return start ? strtol(start + strlen(pattern), NULL, 10) : -1;
}

int main(int argc, char **argv) {
    const char *data_dir = argc > 1 ? argv[1] : NULL;
    OrdoEngine *engine = ordo_engine_open(
        data_dir, data_dir ? "{\"actor_name\": \"track.c\"}"
                           : "{\"store\": \"memory\", \"actor_name\": \"track.c\"}");
    if (engine == NULL) {
        fprintf(stderr, "cannot open the store: %s\n", ordo_last_error());
        return 1;
    }
    printf("ordo %s, API version %u\n", ordo_version(), (unsigned)ordo_api_version());

    /* The product and the customer, unless an earlier run on this store made them. */
    int32_t status;
    ordo_string_free(call_allowing(engine,
        "{\"op\": \"product.create\", \"args\": {\"sku\": \"MUG-BLUE\", \"name\": \"Blue mug\","
        " \"description\": \"Stoneware, 350 ml.\", \"specifications\": [], \"media\": [],"
        " \"active\": true, \"tax_category\": \"standard\","
        " \"base_price\": {\"amount\": \"12.50\", \"currency\": \"USD\"},"
        " \"price_lists\": [], \"backorder\": \"deny\"}}",
        ORDO_STATUS_CONFLICT, &status));
    if (status == ORDO_STATUS_OK) {
        ordo_string_free(call(engine,
            "{\"op\": \"product.restock\", \"args\": {\"sku\": \"MUG-BLUE\", \"warehouse\": \"MAIN\","
            " \"quantity\": 10, \"reason\": \"first delivery\"}}"));
    }

    char *customer = call_allowing(engine,
        "{\"op\": \"customer.get\", \"args\": {\"phone\": \"+14155550123\"}}",
        ORDO_STATUS_NOT_FOUND, &status);
    if (status == ORDO_STATUS_NOT_FOUND) {
        ordo_string_free(customer);
        customer = call(engine,
            "{\"op\": \"customer.create\", \"args\": {\"name\": \"Ada Lovelace\", \"business\": null,"
            " \"phone\": \"+14155550123\", \"email\": \"ada@example.com\", \"addresses\": [{"
            "\"recipient\": \"Ada Lovelace\", \"line1\": \"12 St James's Square\", \"line2\": \"\","
            " \"city\": \"London\", \"region\": \"\", \"postal_code\": \"SW1Y 4JH\","
            " \"country\": \"GB\"}]}}");
    }
    long customer_id = json_number(customer, "id");
    ordo_string_free(customer);

    char request[512];
    snprintf(request, sizeof request,
             "{\"op\": \"order.create\", \"args\": {\"customer\": %ld, \"items\": [{\"sku\":"
             " \"MUG-BLUE\", \"quantity\": 2}], \"ship_to\": null, \"shipping\": \"standard\","
             " \"payment\": \"card\", \"discounts\": [], \"notes\": \"\", \"draft\": false,"
             " \"idempotency_key\": \"track-c-1\"}, \"extra\": \"order 1\"}",
             customer_id);
    /* The idempotency key makes a rerun return the same order instead of a second one. */
    char *created = call(engine, request);
    char reference[32];
    if (!json_string(created, "reference", reference, sizeof reference)) {
        fprintf(stderr, "no reference in %s\n", created);
        return 1;
    }
    ordo_string_free(created);

    /* Track it: what a customer would ask for by the reference on their receipt. */
    snprintf(request, sizeof request,
             "{\"op\": \"order.get\", \"args\": {\"reference\": \"%s\"}}", reference);
    char *order = call(engine, request);
    char order_status[32] = "", total[32] = "", currency[8] = "";
    json_string(order, "status", order_status, sizeof order_status);
    json_string(order, "total", total, sizeof total);
    json_string(order, "currency", currency, sizeof currency);
    printf("order %s: %s, total %s %s\n", reference, order_status, total, currency);
    printf("%s\n", order);
    ordo_string_free(order);

    ordo_engine_close(engine);
    return 0;
}
