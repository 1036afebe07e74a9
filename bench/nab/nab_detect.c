/* Runs the inkasso anomaly detector over every NAB series and writes the
 * scores in NAB's results layout (OUT/inkasso/<category>/inkasso_<file>). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inkasso/anomaly.h"

#define LINE_MAX_LEN 256
#define PATH_MAX_LEN 4096

typedef struct series {
    char (*stamp)[32];
    double *value;
    size_t n, cap;
} series;

static void usage(void)
{
    fprintf(
        stderr,
        "usage: nab_detect DATA_DIR OUT_DIR [--cycles N] [--window N]\n"
        "       [--smooth N] [--dead-time N|F] [--period N] [--threshold T]\n"
        "       [--relative 0|1] [--method robust|likelihood] [--levels N]\n"
        "       [--order N]\n"
        "  --dead-time F < 1 is a fraction of the file length\n");
}

static int read_series(const char *path, series *s)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[LINE_MAX_LEN];
    s->n = 0;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        char *comma = strchr(line, ',');
        if (!comma)
            continue;
        if (s->n == s->cap) {
            size_t cap = s->cap ? 2 * s->cap : 4096;
            void *a = realloc(s->stamp, cap * sizeof *s->stamp);
            if (!a)
                goto fail;
            s->stamp = a;
            void *b = realloc(s->value, cap * sizeof *s->value);
            if (!b)
                goto fail;
            s->value = b;
            s->cap = cap;
        }
        size_t len = (size_t)(comma - line);
        if (len >= sizeof s->stamp[s->n])
            len = sizeof s->stamp[s->n] - 1;
        memcpy(s->stamp[s->n], line, len);
        s->stamp[s->n][len] = '\0';
        s->value[s->n] = strtod(comma + 1, NULL);
        s->n++;
    }
    fclose(f);
    return 0;
fail:
    fclose(f);
    return -1;
}

typedef struct run_options {
    ink_anomaly_options opt;
    double dead_time; /* < 1: a fraction of the file length */
} run_options;

static int run_file(const char *in, const char *out, const run_options *ro,
                    series *s)
{
    if (read_series(in, s) != 0) {
        fprintf(stderr, "nab_detect: %s: %s\n", in, strerror(errno));
        return -1;
    }
    ink_anomaly_options opt = ro->opt;
    /* NAB does not score the probationary period (15 % of the file, at
     * most 750 rows): the detector learns there. */
    size_t probation = (size_t)floor(0.15 * (double)s->n);
    if (probation > 750)
        probation = 750;
    opt.warmup = probation;
    if (ro->dead_time > 0 && ro->dead_time < 1)
        opt.dead_time = (size_t)(ro->dead_time * (double)s->n);
    else
        opt.dead_time = (size_t)ro->dead_time;
    ink_anomaly *d;
    ink_error err;
    if (ink_anomaly_new(&opt, &d, &err) != INK_OK) {
        fprintf(stderr, "nab_detect: %s\n", err.message);
        return -1;
    }
    FILE *f = fopen(out, "w");
    if (!f) {
        fprintf(stderr, "nab_detect: %s: %s\n", out, strerror(errno));
        ink_anomaly_free(d);
        return -1;
    }
    fprintf(f, "timestamp,value,anomaly_score\n");
    for (size_t i = 0; i < s->n; i++) {
        double score = ink_anomaly_step(d, s->value[i], NULL);
        fprintf(f, "%s,%.17g,%.17g\n", s->stamp[i], s->value[i], score);
    }
    ink_anomaly_free(d);
    return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        usage();
        return 2;
    }
    const char *data = argv[1], *outdir = argv[2];
    run_options ro;
    ink_anomaly_options_init(&ro.opt);
    ro.opt.period = 0;
    ro.dead_time = 0;
    for (int i = 3; i + 1 < argc; i += 2) {
        double v = strtod(argv[i + 1], NULL);
        if (strcmp(argv[i], "--cycles") == 0)
            ro.opt.cycles = (size_t)v;
        else if (strcmp(argv[i], "--window") == 0)
            ro.opt.window = (size_t)v;
        else if (strcmp(argv[i], "--smooth") == 0)
            ro.opt.smooth = (size_t)v;
        else if (strcmp(argv[i], "--period") == 0)
            ro.opt.period = (size_t)v;
        else if (strcmp(argv[i], "--method") == 0)
            ro.opt.method = strcmp(argv[i + 1], "likelihood") == 0
                                ? INK_ANOMALY_LIKELIHOOD
                                : INK_ANOMALY_ROBUST;
        else if (strcmp(argv[i], "--levels") == 0)
            ro.opt.levels = (size_t)v;
        else if (strcmp(argv[i], "--order") == 0)
            ro.opt.order = (size_t)v;
        else if (strcmp(argv[i], "--relative") == 0)
            ro.opt.relative = (int)v;
        else if (strcmp(argv[i], "--threshold") == 0)
            ro.opt.threshold = v;
        else if (strcmp(argv[i], "--dead-time") == 0)
            ro.dead_time = v;
        else {
            usage();
            return 2;
        }
    }
    DIR *top = opendir(data);
    if (!top) {
        fprintf(stderr, "nab_detect: %s: %s\n", data, strerror(errno));
        return 1;
    }
    char path[PATH_MAX_LEN], out[PATH_MAX_LEN];
    snprintf(out, sizeof out, "%s/inkasso", outdir);
    mkdir(outdir, 0755);
    mkdir(out, 0755);
    series s = {0};
    int rc = 0;
    struct dirent *cat;
    while (rc == 0 && (cat = readdir(top)) != NULL) {
        if (cat->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", data, cat->d_name);
        DIR *sub = opendir(path);
        if (!sub)
            continue;
        snprintf(out, sizeof out, "%s/inkasso/%s", outdir, cat->d_name);
        mkdir(out, 0755);
        struct dirent *file;
        while (rc == 0 && (file = readdir(sub)) != NULL) {
            size_t len = strlen(file->d_name);
            if (len < 5 || strcmp(file->d_name + len - 4, ".csv") != 0)
                continue;
            snprintf(path, sizeof path, "%s/%s/%s", data, cat->d_name,
                     file->d_name);
            snprintf(out, sizeof out, "%s/inkasso/%s/inkasso_%s", outdir,
                     cat->d_name, file->d_name);
            rc = run_file(path, out, &ro, &s);
        }
        closedir(sub);
    }
    closedir(top);
    free(s.stamp);
    free(s.value);
    return rc == 0 ? 0 : 1;
}
