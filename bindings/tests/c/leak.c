/*
 * leak.c: a host that forgets ordo_string_free on one response. tests/c.rs runs it under
 * valgrind to show the memory check can fail: the response must be reported as
 * "definitely lost" (so a clean ordo_test run means something).
 */
#include <stdio.h>

#include "ordo.h"

int main(void) {
    OrdoEngine *engine = ordo_engine_open(NULL, "{\"store\": \"memory\"}");
    if (engine == NULL) {
        fprintf(stderr, "open: %s\n", ordo_last_error());
        return 2;
    }
    char *response = NULL;
    int32_t status = ordo_execute(engine, "{\"op\": \"product.list\"}", &response);
    printf("status %d\n", (int)status);
    response = NULL; /* the pointer is dropped without ordo_string_free: a leak */
    ordo_engine_close(engine);
    return status == ORDO_STATUS_OK ? 0 : 2;
}
