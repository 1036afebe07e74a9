/* libFuzzer target: JSON ingest bodies to CSV text, on any bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = malloc(size ? size : 1);
    if (!body)
        return 0;
    memcpy(body, data, size);
    size_t len = 0;
    const char *error = NULL;
    char *csv = srv_json_rows_to_csv(body, size, &len, &error);
    /* Exactly one of a text or an error, and the text ends its lines. */
    if ((csv == NULL) == (error == NULL))
        abort();
    if (csv && (len == 0 || csv[len - 1] != '\n'))
        abort();
    free(csv);
    free(body);
    return 0;
}
