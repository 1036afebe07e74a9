/* inkasso report: the dashboard as one self-contained HTML file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "inkasso/alerts.h"
#include "inkasso/owners.h"
#include "web_asset.h"

void cmd_report_usage(FILE *out)
{
    fputs("usage: inkasso report DIR|--db FILE -o FILE [--as-of D]\n"
          "                      [--from D --to D] [--owners FILE]\n"
          "                      [--rejects FILE] [--threads N]\n"
          "\n"
          "Writes the dashboard of inkasso serve as one HTML file: the KPI\n"
          "tiles, anomaly alerts, missed targets, trends, vintage curves,\n"
          "comparisons, channels and operations with their tables, the\n"
          "script and the data inside\n"
          "it, so that it opens with no network (to attach to an email).\n"
          "Its as-of and placement window are fixed when it is made.\n"
          "\n"
          "Options:\n"
          "  -o, --output FILE  the HTML file (replaced whole, or not at all)\n"
          "  --owners FILE      judge the targets of FILE (docs/owners.md):\n"
          "                     owner, target and action of a missed KPI\n"
          "  --as-of D, --from D, --to D, --rejects FILE, --threads N\n"
          "                     as for inkasso kpi\n"
          "\n"
          "Exit status: 0 ok, 1 runtime error, 2 usage, 3 invalid data.\n",
          out);
}

/* The groupings the dashboard shows, each by currency first: amounts of
 * different currencies are never added. Dimensions the portfolio lacks
 * are left out of the file (the page says so). */
static const char *const views[][2] = {
    {"currency", NULL},         {"currency", "cohort_month"},
    {"currency", "handler"},    {"currency", "region"},
    {"currency", "risk_class"}, {"currency", "age_bucket"},
    {"currency", "sector"},     {"currency", "segment"},
};
#define VIEW_COUNT (sizeof views / sizeof views[0])
/* The curves of the dashboard: every 7 days up to day 360. */
#define CURVE_STEP 7
#define CURVE_MAX 360

static const ink__web_asset *asset(const char *path)
{
    for (size_t i = 0; i < ink__web_asset_count; i++)
        if (strcmp(ink__web_assets[i].path, path) == 0)
            return &ink__web_assets[i];
    return NULL;
}

/* JSON inside <script type="application/json">: '<', '>' and '&' become
 * \u escapes (valid in JSON strings, where alone they can occur), so no
 * value can close the element or open a comment. */
static int put_json_for_html(const char *json, size_t len, FILE *out)
{
    for (size_t i = 0; i < len; i++) {
        char c = json[i];
        if (c == '<')
            fputs("\\u003c", out);
        else if (c == '>')
            fputs("\\u003e", out);
        else if (c == '&')
            fputs("\\u0026", out);
        else
            fputc(c, out);
    }
    return !ferror(out);
}

/* One computed view as JSON text in a memory buffer. */
typedef struct view_text {
    char *json;
    size_t len;
} view_text;

static void view_text_cleanup(view_text *v)
{
    free(v->json);
    v->json = NULL;
    v->len = 0;
}

/* Closes the memory stream f holding out's text after a writer's status
 * st; trims the final newline. On failure prints and returns INK_NOMEM
 * (a memory stream fails only when memory runs out). */
static ink_status finish_text(FILE *f, ink_status st, view_text *out)
{
    if (fclose(f) != 0 && st == INK_OK)
        st = INK_NOMEM;
    if (st != INK_OK) {
        view_text_cleanup(out);
        fprintf(stderr, "inkasso: out of memory\n");
        return INK_NOMEM;
    }
    while (out->len && out->json[out->len - 1] == '\n')
        out->len--;
    return INK_OK;
}

/* A memory stream writing out's text (emptied first); NULL after printing
 * when memory runs out. */
static FILE *open_text(view_text *out)
{
    out->json = NULL;
    out->len = 0;
    FILE *f = open_memstream(&out->json, &out->len);
    if (!f)
        fprintf(stderr, "inkasso: out of memory\n");
    return f;
}

/* Computes p for opt with by and writes its report (or curves when curves
 * is set) into *out, and its as-of into *as_of. An unknown dimension
 * leaves *out empty (INK_OK); other failures are printed and returned. */
static ink_status compute_view(const ink_portfolio *p, ink_kpi_options opt,
                               const char *const *by, size_t by_count,
                               int curves, view_text *out, int32_t *as_of)
{
    out->json = NULL;
    out->len = 0;
    opt.by = by;
    opt.by_count = by_count;
    if (curves) {
        opt.window_count = 0;
        for (int32_t day = 0; day <= CURVE_MAX; day += CURVE_STEP)
            opt.windows[opt.window_count++] = day;
    }
    ink_error err;
    ink_kpi_report *r = NULL;
    ink_status st = ink_kpi_compute(p, &opt, &r, &err);
    if (st == INK_USAGE)
        return INK_OK; /* a dimension this portfolio does not have */
    if (st != INK_OK) {
        cli_print_error(&err);
        return st;
    }
    *as_of = ink_kpi_as_of(r);
    FILE *f = open_text(out);
    if (!f) {
        ink_kpi_report_free(r);
        return INK_NOMEM;
    }
    st = curves ? ink_kpi_write_curves_json(r, CURVE_STEP, CURVE_MAX, f)
                : ink_kpi_write_json(r, f);
    ink_kpi_report_free(r);
    return finish_text(f, st, out);
}

/* The anomaly alerts of GET /api/v1/alerts (its defaults, at the report's
 * as-of) into *out. */
static ink_status compute_alerts(const ink_portfolio *p, int32_t as_of,
                                 view_text *out)
{
    ink_alerts_options opt;
    ink_alerts_options_init(&opt);
    opt.as_of = as_of;
    ink_alerts_report *r = NULL;
    ink_error err;
    ink_status st = ink_alerts_compute(p, &opt, &r, &err);
    if (st != INK_OK) {
        cli_print_error(&err);
        return st;
    }
    FILE *f = open_text(out);
    if (!f) {
        ink_alerts_report_free(r);
        return INK_NOMEM;
    }
    st = ink_alerts_write_json(r, f);
    ink_alerts_report_free(r);
    return finish_text(f, st, out);
}

/* The answer of GET /api/v1/owners (the verdicts of o, which may be NULL,
 * and the built-in benchmarks) into *out. */
static ink_status compute_owners(const ink_owners *o, const ink_portfolio *p,
                                 const ink_kpi_options *opt, view_text *out)
{
    ink_owners_verdicts *v = NULL;
    ink_error err;
    ink_status st = ink_owners_judge(o, p, opt, &v, &err);
    if (st != INK_OK) {
        cli_print_error(&err);
        return st;
    }
    FILE *f = open_text(out);
    if (!f) {
        ink_owners_verdicts_free(v);
        return INK_NOMEM;
    }
    st = ink_owners_write_json(v, f);
    ink_owners_verdicts_free(v);
    return finish_text(f, st, out);
}

static void put_date_param(FILE *out, const char *name, int32_t days,
                           int *first)
{
    char text[INK_DATE_TEXT_MAX];
    if (days == INK_DATE_NONE)
        return;
    ink_format_date(days, text, sizeof text);
    fprintf(out, "%s\"%s\":\"%s\"", *first ? "" : ",", name, text);
    *first = 0;
}

/* The whole page into out; 0 when writing failed. */
static int write_page(FILE *out, const ink_kpi_options *opt, int32_t as_of,
                      view_text *kpi, view_text *curves,
                      const view_text *alerts, const view_text *owners)
{
    const ink__web_asset *js = asset("/assets/app.js");
    const ink__web_asset *css = asset("/assets/app.css");
    if (!js || !css)
        return 0;
    char as_of_text[INK_DATE_TEXT_MAX];
    ink_format_date(as_of, as_of_text, sizeof as_of_text);
    fprintf(out,
            "<!doctype html>\n<html lang=\"en\">\n<head>\n"
            "<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, "
            "initial-scale=1\">\n"
            /* Inline only: the file may load nothing, from anywhere. */
            "<meta http-equiv=\"Content-Security-Policy\" "
            "content=\"default-src 'none'; script-src 'unsafe-inline'; "
            "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
            "form-action 'none'\">\n"
            "<link rel=\"icon\" href=\"data:,\">\n"
            "<title>inkasso report, as of %s</title>\n<style>\n",
            as_of_text);
    fwrite(css->data, 1, css->len, out);
    fputs("</style>\n</head>\n<body>\n<div id=\"app\"><noscript>This report "
          "needs JavaScript to draw its charts.</noscript></div>\n"
          "<script type=\"application/json\" id=\"ink-data\">",
          out);
    fprintf(out, "{\"generated\":\"as of %s\",\"params\":{", as_of_text);
    fprintf(out, "\"as_of\":\"%s\"", as_of_text);
    int first = 0;
    put_date_param(out, "from", opt->from, &first);
    put_date_param(out, "to", opt->to, &first);
    fputs("},\"kpi\":{", out);
    first = 1;
    for (size_t v = 0; v < VIEW_COUNT; v++) {
        if (!kpi[v].json)
            continue;
        fprintf(out, "%s\"%s%s%s\":", first ? "" : ",", views[v][0],
                views[v][1] ? "," : "", views[v][1] ? views[v][1] : "");
        first = 0;
        if (!put_json_for_html(kpi[v].json, kpi[v].len, out))
            return 0;
    }
    fputs("},\"curves\":{", out);
    if (curves->json) {
        fputs("\"currency,cohort_month\":", out);
        if (!put_json_for_html(curves->json, curves->len, out))
            return 0;
    }
    /* The answers of /api/v1/alerts and /api/v1/owners, as the page
     * would fetch them. */
    fputs("},\"extra\":{\"alerts\":", out);
    if (!put_json_for_html(alerts->json, alerts->len, out))
        return 0;
    fputs(",\"owners\":", out);
    if (!put_json_for_html(owners->json, owners->len, out))
        return 0;
    fputs("}}</script>\n<script>\n", out);
    fwrite(js->data, 1, js->len, out);
    fputs("</script>\n</body>\n</html>\n", out);
    return !ferror(out);
}

/* Writes the page to path through a temporary file in the same folder,
 * renamed over path only when complete: a reader sees the old file or
 * the new one, never a part. */
static int write_atomically(const char *path, const ink_kpi_options *opt,
                            int32_t as_of, view_text *kpi, view_text *curves,
                            const view_text *alerts, const view_text *owners)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + sizeof ".XXXXXX");
    if (!tmp) {
        fprintf(stderr, "inkasso: out of memory\n");
        return CLI_EXIT_RUNTIME;
    }
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".XXXXXX", sizeof ".XXXXXX");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "inkasso: cannot create %s: %s\n", tmp,
                strerror(errno));
        free(tmp);
        return CLI_EXIT_RUNTIME;
    }
    /* mkstemp makes it 0600; a report is for sharing like any output. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        goto fail;
    }
    int ok = write_page(f, opt, as_of, kpi, curves, alerts, owners);
    ok = fflush(f) == 0 && ok;
    ok = fsync(fileno(f)) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0)
        goto fail;
    free(tmp);
    return CLI_EXIT_OK;
fail:
    fprintf(stderr, "inkasso: cannot write %s: %s\n", path,
            errno ? strerror(errno) : "write failed");
    unlink(tmp);
    free(tmp);
    return CLI_EXIT_RUNTIME;
}

int cmd_report(int argc, char **argv)
{
    static const struct option options[] = {
        {"as-of", required_argument, NULL, 'a'},
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"rejects", required_argument, NULL, 'r'},
        {"threads", required_argument, NULL, 'T'},
        {"db", required_argument, NULL, 'D'},
        {"output", required_argument, NULL, 'o'},
        {"owners", required_argument, NULL, 'O'},
        {NULL, 0, NULL, 0}};
    cli_report_args a;
    cli_report_args_init(&a);
    const char *output = NULL;
    const char *owners_path = NULL;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:", options, NULL)) != -1) {
        if (c == 'o') {
            output = optarg;
            continue;
        }
        if (c == 'O') {
            owners_path = optarg;
            continue;
        }
        int handled = cli_report_option("report", c, optarg, &a);
        if (handled < 0)
            return -handled;
        if (handled)
            continue;
        if (c == ':')
            return cli_usage_error("report", "option '%s' needs a value",
                                   argv[optind - 1]);
        return cli_usage_error("report", "unknown option '%s'",
                               argv[optind - 1]);
    }
    int code = cli_report_finish("report", argc, argv, optind, &a);
    if (code != CLI_EXIT_OK)
        return code;
    if (!output || !*output)
        return cli_usage_error("report", "report needs -o FILE");
    if (!asset("/assets/app.js")) {
        fputs("inkasso: this inkasso was built without the dashboard "
              "(-DINK_WEB=OFF); the report needs it\n",
              stderr);
        return CLI_EXIT_RUNTIME;
    }

    /* The owners file first: a typo in it should not wait for a load. */
    ink_owners *owners = NULL;
    if (owners_path) {
        ink_error err;
        ink_status st = ink_owners_load(owners_path, &owners, &err);
        if (st != INK_OK) {
            cli_print_error(&err);
            return cli_exit_code(st);
        }
    }
    ink_portfolio *p = NULL;
    code = cli_load(a.dir, a.db, &a.load, &p);
    if (code != CLI_EXIT_OK) {
        ink_owners_free(owners);
        return code;
    }
    view_text kpi[VIEW_COUNT] = {{NULL, 0}};
    view_text curves = {NULL, 0};
    view_text alerts = {NULL, 0};
    view_text verdicts = {NULL, 0};
    ink_status st = INK_OK;
    int32_t as_of = INK_DATE_NONE, view_as_of = INK_DATE_NONE;
    for (size_t v = 0; v < VIEW_COUNT && st == INK_OK; v++) {
        st = compute_view(p, a.kpi, views[v], views[v][1] ? 2 : 1, 0, &kpi[v],
                          &view_as_of);
        if (v == 0)
            as_of = view_as_of;
    }
    if (st == INK_OK)
        st = compute_view(p, a.kpi, views[1], 2, 1, &curves, &view_as_of);
    if (st == INK_OK && !kpi[0].json) {
        fprintf(stderr, "inkasso: report: the portfolio has no currency "
                        "column\n");
        st = INK_USAGE;
    }
    if (st == INK_OK)
        st = compute_alerts(p, a.kpi.as_of, &alerts);
    if (st == INK_OK)
        st = compute_owners(owners, p, &a.kpi, &verdicts);
    if (st == INK_OK)
        code = write_atomically(output, &a.kpi, as_of, kpi, &curves, &alerts,
                                &verdicts);
    else
        code = cli_exit_code(st);
    for (size_t v = 0; v < VIEW_COUNT; v++)
        view_text_cleanup(&kpi[v]);
    view_text_cleanup(&curves);
    view_text_cleanup(&alerts);
    view_text_cleanup(&verdicts);
    ink_portfolio_free(p);
    ink_owners_free(owners);
    return code;
}
