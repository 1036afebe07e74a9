/* inkasso score: train, evaluate and apply the propensity-to-pay models. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "inkasso/model.h"

void cmd_score_usage(FILE *out)
{
    fputs(
        "usage: inkasso score train DIR|--db FILE --model FILE [options]\n"
        "       inkasso score predict DIR|--db FILE --model FILE [--as-of D]\n"
        "       inkasso score train-table FILE.csv --label COLUMN\n"
        "                     [--ignore COL[,COL...]] [--folds K] [--model "
        "FILE]\n"
        "       inkasso score predict-table FILE.csv --model FILE\n"
        "\n"
        "train: rows of every case open at each snapshot date (features known\n"
        "by then; label: collects --min-share % of its outstanding within\n"
        "--horizon days after it); both models trained on the earlier\n"
        "snapshots and judged on the later ones: AUC, PR-AUC, log loss, Brier\n"
        "score, calibration table, lift by decile, feature importance.\n"
        "predict: case_id,probability,outstanding,expected_collected (CSV) of\n"
        "every case open at --as-of (default: the latest date).\n"
        "train-table: stratified K-fold cross-validation of both models on a\n"
        "numeric CSV table (mean AUC), and with --model the model on all "
        "rows.\n"
        "predict-table: row,probability per input row, in input order.\n"
        "\n"
        "Options:\n"
        "  --model FILE        the model file (written by train, read by "
        "predict)\n"
        "  --kind K            boosted (default) or logistic: the model kept\n"
        "  --horizon N         label window in days (default 30)\n"
        "  --min-share P       label threshold in % of outstanding (default "
        "10)\n"
        "  --snapshots N       snapshot dates (default 6), --test-snapshots N\n"
        "                      of them held out (default 2), --step N days\n"
        "                      apart (default: the horizon), the last on\n"
        "                      --last D (default: latest date - horizon)\n"
        "  --rounds N, --depth N, --eta X   boosted trees (100, 5, 0.3);\n"
        "                      boosting stops 10 trees after the best log\n"
        "                      loss of the calibration rows\n"
        "  --l2 X              logistic penalty (default 1)\n"
        "  --seed S            folds, splits and subsampling (default 1)\n"
        "  --threads N         worker threads (default: one per core)\n"
        "  --label COL, --ignore COLS, --folds K (default 5)   tables\n"
        "  --as-of D           predict: the scoring date\n"
        "  --timings           train, predict: seconds of loading and of the\n"
        "                      model's work (train: step by step, CPU), to\n"
        "                      stderr\n"
        "\n"
        "Exit status: 0 ok, 1 runtime error, 2 usage, 3 invalid data.\n",
        out);
}

typedef struct score_args {
    ink_model_options model;
    const char *model_path, *db, *input, *label, *ignore;
    int32_t as_of;
    uint64_t folds;
    int timings;
} score_args;

static int parse_args(const char *sub, int argc, char **argv, score_args *a)
{
    static const struct option options[] = {
        {"model", required_argument, NULL, 'm'},
        {"db", required_argument, NULL, 'D'},
        {"kind", required_argument, NULL, 'k'},
        {"horizon", required_argument, NULL, 'h'},
        {"min-share", required_argument, NULL, 'x'},
        {"snapshots", required_argument, NULL, 'n'},
        {"test-snapshots", required_argument, NULL, 't'},
        {"step", required_argument, NULL, 's'},
        {"last", required_argument, NULL, 'L'},
        {"rounds", required_argument, NULL, 'r'},
        {"depth", required_argument, NULL, 'd'},
        {"eta", required_argument, NULL, 'e'},
        {"l2", required_argument, NULL, 'l'},
        {"seed", required_argument, NULL, 'S'},
        {"threads", required_argument, NULL, 'T'},
        {"label", required_argument, NULL, 'y'},
        {"ignore", required_argument, NULL, 'i'},
        {"folds", required_argument, NULL, 'f'},
        {"as-of", required_argument, NULL, 'a'},
        {"timings", no_argument, NULL, 'W'},
        {NULL, 0, NULL, 0}};
    ink_model_options_init(&a->model);
    a->model_path = a->db = a->input = a->label = a->ignore = NULL;
    a->as_of = INK_DATE_NONE;
    a->folds = 5;
    a->timings = 0;
    optind = 1;
    opterr = 0;
    int c;
    uint64_t v;
    double d;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case 'm':
            a->model_path = optarg;
            break;
        case 'W':
            a->timings = 1;
            break;
        case 'D':
            a->db = optarg;
            break;
        case 'y':
            a->label = optarg;
            break;
        case 'i':
            a->ignore = optarg;
            break;
        case 'k':
            if (strcmp(optarg, "boosted") == 0)
                a->model.kind = INK_MODEL_BOOSTED;
            else if (strcmp(optarg, "logistic") == 0)
                a->model.kind = INK_MODEL_LOGISTIC;
            else
                return cli_usage_error("score",
                                       "--kind: expected boosted or logistic, "
                                       "got \"%s\"",
                                       optarg);
            break;
        case 'a':
        case 'L': {
            int32_t day;
            int code = cli_parse_date("score", c == 'a' ? "--as-of" : "--last",
                                      optarg, &day);
            if (code)
                return code;
            if (c == 'a')
                a->as_of = day;
            else
                a->model.last_snapshot = day;
            break;
        }
        case 'h':
        case 'x':
        case 'n':
        case 't':
        case 's':
        case 'r':
        case 'd':
        case 'S':
        case 'f': {
            if (!cli_parse_u64(optarg, &v) || (c != 'S' && v > 100000))
                return cli_usage_error("score",
                                       "%s: expected a whole number, got "
                                       "\"%s\"",
                                       argv[optind - 1], optarg);
            if (c == 'h')
                a->model.horizon_days = (int32_t)v;
            else if (c == 'x')
                a->model.min_share_pct = (int32_t)v;
            else if (c == 'n')
                a->model.snapshot_count = (size_t)v;
            else if (c == 't')
                a->model.test_snapshots = (size_t)v;
            else if (c == 's')
                a->model.snapshot_step = (int32_t)v;
            else if (c == 'r')
                a->model.rounds = (int)v;
            else if (c == 'd')
                a->model.max_depth = (int)v;
            else if (c == 'S')
                a->model.seed = v;
            else
                a->folds = v;
            break;
        }
        case 'e':
        case 'l':
            if (!cli_parse_double(optarg, &d))
                return cli_usage_error("score",
                                       "%s: expected a number, got \"%s\"",
                                       argv[optind - 1], optarg);
            if (c == 'e')
                a->model.learning_rate = d;
            else
                a->model.l2 = d;
            break;
        case 'T':
            if (cli_parse_threads("score", optarg, &a->model.threads) !=
                CLI_EXIT_OK)
                return CLI_EXIT_USAGE;
            break;
        case ':':
            return cli_usage_error("score", "option '%s' needs a value",
                                   argv[optind - 1]);
        default:
            return cli_usage_error("score", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    int operands = argc - optind;
    int is_table = strstr(sub, "table") != NULL;
    if (is_table && a->db)
        return cli_usage_error("score", "%s reads a CSV file, not --db", sub);
    if (operands > 1 || (operands == 0 && (is_table || !a->db)))
        return cli_usage_error("score", "%s needs one %s", sub,
                               is_table ? "CSV file" : "folder or --db FILE");
    if (operands == 1 && a->db)
        return cli_usage_error("score", "give a folder or --db FILE, not "
                                        "both");
    a->input = operands ? argv[optind] : NULL;
    if (!a->model_path && strcmp(sub, "train-table") != 0)
        return cli_usage_error("score", "%s needs --model FILE", sub);
    if (strcmp(sub, "train-table") == 0 && !a->label)
        return cli_usage_error("score", "train-table needs --label COLUMN");
    return CLI_EXIT_OK;
}

static void print_metrics_row(const char *name, const ink_model_metrics *m)
{
    printf("%-10s %8.4f %8.4f %9.4f %8.4f %9zu %9zu\n", name, m->auc, m->pr_auc,
           m->log_loss, m->brier, m->rows, m->positives);
}

static void print_report(const ink_model_report *r, ink_model_kind kind)
{
    char date[INK_DATE_TEXT_MAX];
    if (r->snapshot_count) {
        printf("Snapshots:");
        for (size_t i = 0; i < r->snapshot_count; i++) {
            ink_format_date(r->snapshots[i], date, sizeof date);
            printf(" %s%s", date,
                   i + r->test_snapshots >= r->snapshot_count ? " (test)" : "");
        }
        printf("\n");
    }
    printf("Rows: %zu training, %zu calibration, %zu held out; training "
           "positive rate %.4f\n\n",
           r->train_rows, r->calibration_rows, r->test_rows, r->train_rate);
    printf("%-10s %8s %8s %9s %8s %9s %9s\n", "model", "AUC", "PR-AUC",
           "log loss", "Brier", "rows", "positive");
    print_metrics_row("boosted", &r->boosted);
    print_metrics_row("logistic", &r->logistic);
    const ink_model_metrics *m =
        kind == INK_MODEL_BOOSTED ? &r->boosted : &r->logistic;
    printf("\nCalibration (%s, held out): predicted vs observed\n",
           ink_model_kind_name(kind));
    printf("%-10s %9s %10s %10s\n", "predicted", "rows", "mean pred",
           "observed");
    for (int b = 0; b < INK_MODEL_BINS; b++) {
        if (!m->bin_rows[b])
            continue;
        printf("%3.1f-%-6.1f %9zu %10.4f %10.4f\n", b / 10.0, (b + 1) / 10.0,
               m->bin_rows[b], m->bin_predicted[b], m->bin_observed[b]);
    }
    printf("\nLift by decile (%s, held out; 1 = highest scores)\n",
           ink_model_kind_name(kind));
    printf("%-7s %9s %10s %8s\n", "decile", "rows", "rate", "lift");
    for (int b = 0; b < INK_MODEL_BINS; b++)
        printf("%-7d %9zu %10.4f %8.2f\n", b + 1, m->decile_rows[b],
               m->decile_rate[b], m->decile_lift[b]);
    printf("\nFeature importance (%s)\n", ink_model_kind_name(kind));
    for (size_t j = 0; j < r->feature_count; j++)
        if (r->importance[j] > 0)
            printf("%-24s %6.1f%%\n", r->feature[j], 100 * r->importance[j]);
}

static int fail(ink_status st, const ink_error *err)
{
    cli_print_error(err);
    return cli_exit_code(st);
}

/* err filled as the tool's own allocation failure; returns INK_NOMEM. */
static ink_status nomem(ink_error *err)
{
    ink_error_clear(err);
    err->status = INK_NOMEM;
    snprintf(err->message, sizeof err->message, "out of memory");
    return INK_NOMEM;
}

/* The exit code of a command that printed its `what` to stdout: st's
 * error, or a write that failed. */
static int finish(ink_status st, const ink_error *err, const char *what)
{
    if (st != INK_OK)
        return fail(st, err);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "inkasso: cannot write the %s\n", what);
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}

static int run_train(score_args *a)
{
    ink_load_options lopt;
    ink_load_options_init(&lopt);
    lopt.threads = a->model.threads;
    ink_portfolio *p = NULL;
    double t0 = cli_seconds();
    int code = cli_load(a->input, a->db, &lopt, &p);
    if (code != CLI_EXIT_OK)
        return code;
    double t1 = cli_seconds();
    ink_model_report *r = malloc(sizeof *r);
    ink_model *m = NULL;
    ink_error err;
    ink_status st =
        r ? ink_model_train(p, &a->model, &m, r, &err) : nomem(&err);
    if (a->timings && r) {
        const ink_model_timings *t = &r->timings;
        fprintf(stderr,
                "load %.3f s, train %.3f s (features %.3f, boosted fit "
                "%.3f (%d trees), logistic fit %.3f, calibration %.3f, "
                "evaluation %.3f; cpu %.3f s)\n",
                t1 - t0, cli_seconds() - t1, t->features, t->fit_boosted,
                r->boosted_rounds, t->fit_logistic, t->calibration,
                t->evaluation, t->cpu);
    }
    if (st == INK_OK)
        st = ink_model_save(m, a->model_path, &err);
    if (st == INK_OK) {
        print_report(r, a->model.kind);
        printf("\nwrote the %s model to %s\n",
               ink_model_kind_name(a->model.kind), a->model_path);
    }
    free(r);
    ink_model_free(m);
    ink_portfolio_free(p);
    return st == INK_OK ? CLI_EXIT_OK : fail(st, &err);
}

/* The model of --model, of the kind the command scores (a portfolio
 * or a table model): CLI_EXIT_OK with *out, or the exit code. */
static int load_model(const score_args *a, int portfolio, ink_model **out)
{
    ink_error err;
    ink_status st = ink_model_load(a->model_path, out, &err);
    if (st != INK_OK)
        return fail(st, &err);
    if (!ink_model_is_portfolio(*out) != !portfolio) {
        ink_model_free(*out);
        *out = NULL;
        return cli_usage_error("score", "%s is a %s model: use %s",
                               a->model_path, portfolio ? "table" : "portfolio",
                               portfolio ? "predict-table" : "predict");
    }
    return CLI_EXIT_OK;
}

static int run_predict(score_args *a)
{
    ink_model *m = NULL;
    ink_error err;
    ink_status st;
    int loaded = load_model(a, 1, &m);
    if (loaded)
        return loaded;
    ink_load_options lopt;
    ink_load_options_init(&lopt);
    lopt.threads = a->model.threads;
    ink_portfolio *p = NULL;
    double t0 = cli_seconds();
    int code = cli_load(a->input, a->db, &lopt, &p);
    if (code != CLI_EXIT_OK) {
        ink_model_free(m);
        return code;
    }
    double t1 = cli_seconds();
    ink_case_score *scores = NULL;
    size_t count = 0;
    st = ink_model_score(m, p, a->as_of, a->model.threads, &scores, &count,
                         &err);
    if (a->timings)
        fprintf(stderr, "load %.3f s, score %.3f s (%zu open cases)\n", t1 - t0,
                cli_seconds() - t1, count);
    if (st == INK_OK) {
        const ink_cases *cs = ink_portfolio_cases(p);
        char out_text[32], exp_text[32];
        printf("case_id,probability,outstanding,expected_collected\n");
        for (size_t i = 0; i < count; i++) {
            ink_format_money(scores[i].outstanding, out_text, sizeof out_text);
            ink_format_money(scores[i].expected, exp_text, sizeof exp_text);
            printf("%s,%.4f,%s,%s\n",
                   ink_dict_get(cs->ids, scores[i].case_index + 1, NULL),
                   scores[i].probability, out_text, exp_text);
        }
    }
    free(scores);
    ink_portfolio_free(p);
    ink_model_free(m);
    return finish(st, &err, "scores");
}

/* Splits --ignore's comma list in place. */
static size_t split_ignore(char *s, const char **items, size_t max)
{
    size_t n = 0;
    if (!s)
        return 0;
    for (char *tok = strtok(s, ","); tok && n < max; tok = strtok(NULL, ","))
        items[n++] = tok;
    return n;
}

static int run_train_table(score_args *a)
{
    char *ignore_text = a->ignore ? strdup(a->ignore) : NULL;
    const char *ignore[INK_MODEL_MAX_FEATURES];
    size_t ignore_count =
        split_ignore(ignore_text, ignore, INK_MODEL_MAX_FEATURES);
    ink_dataset *d = NULL;
    ink_error err;
    ink_status st =
        ink_dataset_load(a->input, a->label, ignore, ignore_count, &d, &err);
    free(ignore_text);
    if (st != INK_OK)
        return fail(st, &err);
    ink_model_cv cv;
    st = ink_model_cross_validate(d, &a->model, (size_t)a->folds, &cv, &err);
    if (st == INK_OK) {
        printf("Stratified %zu-fold cross-validation of %zu rows (seed "
               "%llu): ROC AUC\n",
               cv.folds, ink_dataset_rows(d),
               (unsigned long long)a->model.seed);
        printf("%-6s %10s %10s\n", "fold", "boosted", "logistic");
        for (size_t f = 0; f < cv.folds; f++)
            printf("%-6zu %10.4f %10.4f\n", f + 1, cv.boosted_auc[f],
                   cv.logistic_auc[f]);
        printf("%-6s %10.4f %10.4f\n", "mean", cv.boosted_mean,
               cv.logistic_mean);
    }
    if (st == INK_OK && a->model_path) {
        ink_model *m = NULL;
        st = ink_model_train_table(d, &a->model, &m, NULL, &err);
        if (st == INK_OK)
            st = ink_model_save(m, a->model_path, &err);
        if (st == INK_OK)
            printf("wrote the %s model to %s\n",
                   ink_model_kind_name(a->model.kind), a->model_path);
        ink_model_free(m);
    }
    ink_dataset_free(d);
    return st == INK_OK ? CLI_EXIT_OK : fail(st, &err);
}

static int run_predict_table(score_args *a)
{
    ink_model *m = NULL;
    ink_error err;
    ink_status st;
    int loaded = load_model(a, 0, &m);
    if (loaded)
        return loaded;
    ink_dataset *d = NULL;
    st = ink_dataset_load(a->input, NULL, NULL, 0, &d, &err);
    double *prob = NULL;
    if (st == INK_OK) {
        prob = malloc((ink_dataset_rows(d) ? ink_dataset_rows(d) : 1) *
                      sizeof *prob);
        st = prob ? ink_model_predict_table(m, d, a->model.threads, prob, &err)
                  : nomem(&err);
    }
    if (st == INK_OK) {
        printf("row,probability\n");
        for (size_t i = 0; i < ink_dataset_rows(d); i++)
            printf("%zu,%.6f\n", i + 1, prob[i]);
    }
    free(prob);
    ink_dataset_free(d);
    ink_model_free(m);
    return finish(st, &err, "probabilities");
}

int cmd_score(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("score", "score needs a subcommand: train, "
                                        "predict, train-table or "
                                        "predict-table");
    const char *sub = argv[1];
    int (*run)(score_args *) = NULL;
    if (strcmp(sub, "train") == 0)
        run = run_train;
    else if (strcmp(sub, "predict") == 0)
        run = run_predict;
    else if (strcmp(sub, "train-table") == 0)
        run = run_train_table;
    else if (strcmp(sub, "predict-table") == 0)
        run = run_predict_table;
    else
        return cli_usage_error("score", "unknown subcommand '%s'", sub);
    score_args a;
    int code = parse_args(sub, argc - 1, argv + 1, &a);
    if (code != CLI_EXIT_OK)
        return code;
    return run(&a);
}
