/* The behaviour model of the sample generator: who the debtors are, how a
 * case is worked, and how the debtor reacts (see docs/gen.md). */
#include <stddef.h>
#include <string.h>

#include "gen/model.h"
#include "gen/rng.h"
#include "inkasso/portfolio.h"
#include "inkasso/units.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Categories and their effects ------------------------------------ */

enum {
    S_TELECOM,
    S_ECOMMERCE,
    S_UTILITIES,
    S_FINANCE,
    S_INSURANCE,
    S_HEALTHCARE,
    S_WHOLESALE,
    S_CONSTRUCTION,
    S_LOGISTICS,
    S_SERVICES
};

const char *const ink__gen_sector_names[INK__GEN_SECTOR_COUNT] = {
    "telecom",    "ecommerce", "utilities",    "finance",   "insurance",
    "healthcare", "wholesale", "construction", "logistics", "services"};

typedef struct sector_info {
    double weight[2]; /* share among B2C and B2B cases */
    double effect;    /* shift of the propensity logit */
    double median[2]; /* median placed amount in EUR, B2C and B2B */
    double sigma;     /* log-normal spread of the amount */
    double digital;   /* shift of the response logit on email, sms, push */
    double dispute;   /* extra dispute probability on engagement */
    int swiss;        /* Swiss creditors place this sector */
    int app;          /* creditors have an app: push is possible */
} sector_info;

static const sector_info sectors[] = {
    [S_TELECOM] = {{0.26, 0.10}, 0.0, {90, 600}, 0.8, 0.3, 0.03, 1, 1},
    [S_ECOMMERCE] = {{0.24, 0.05}, 0.2, {70, 900}, 0.9, 0.5, 0.02, 1, 1},
    [S_UTILITIES] = {{0.18, 0.12}, 0.3, {260, 2200}, 0.7, -0.1, 0.01, 0, 0},
    [S_FINANCE] = {{0.12, 0.05}, -0.3, {1400, 8000}, 1.0, 0.0, 0.03, 0, 1},
    [S_INSURANCE] = {{0.08, 0.08}, 0.1, {340, 1800}, 0.6, -0.1, 0.01, 1, 0},
    [S_HEALTHCARE] = {{0.12, 0.00}, 0.4, {180, 180}, 0.8, -0.3, 0.01, 0, 0},
    [S_WHOLESALE] = {{0.00, 0.25}, 0.0, {2400, 2400}, 1.1, -0.2, 0.04, 0, 0},
    [S_CONSTRUCTION] =
        {{0.00, 0.15}, -0.4, {5200, 5200}, 1.2, -0.4, 0.06, 0, 0},
    [S_LOGISTICS] = {{0.00, 0.10}, -0.1, {1800, 1800}, 1.0, -0.2, 0.03, 0, 0},
    [S_SERVICES] = {{0.00, 0.10}, 0.2, {1200, 1200}, 1.0, 0.0, 0.04, 0, 0},
};
_Static_assert(COUNT_OF(sectors) == INK__GEN_SECTOR_COUNT,
               "one row per sector");

typedef struct named_info {
    int sector; /* or -1 */
    int swiss;  /* 1: Swiss (CHF) only; 0: German (EUR) only */
    double weight;
    double effect;
    double amount_factor;
} named_info;

/* Names with commas and quotes are on purpose: they exercise the RFC 4180
 * quoting path of every reader. */
const char *const ink__gen_creditor_names[INK__GEN_CREDITOR_COUNT] = {
    "TelNet AG",
    "Mobilfunk Süd GmbH",
    "fon4you",
    "Alpen Telecom AG",
    "Swisscall SA",
    "ShopWelt GmbH",
    "Müller, Schmidt & Co",
    "modeversand24",
    "Zürcher Versand AG",
    "Stadtwerke Nordheim",
    "Energie \"Plus\" eG",
    "GreenPower Deutschland",
    "Kreditbank Mitte AG",
    "FlexiKredit GmbH",
    "Sparkasse Musterstadt",
    "Allgemeine Versicherung AG",
    "VersicherungsDirekt",
    "Berner Assekuranz AG",
    "Klinikum Am See",
    "Zahnarztpraxis Dr. Huber",
    "Labor Nord",
    "Großhandel Becker KG",
    "Metro-Partner Süd",
    "Holz & Stahl Handels GmbH",
    "Baustoffe Krüger",
    "Gerüstbau Lang, Söhne & Co",
    "BauMaschinen Miete24",
    "Spedition Wolf",
    "LogiTrans GmbH",
    "IT-Service Roth",
    "Beratung & Co KG",
    "Reinigung \"Blitzblank\"",
    "Kabel Ost GmbH",
    "Versandhaus Nord, Inh. K. Lenz",
};

/* sector, swiss, weight, effect (creditor quality), amount factor */
static const named_info creditors[] = {
    {S_TELECOM, 0, 0.45, 0.0, 1.0},      {S_TELECOM, 0, 0.30, -0.1, 1.1},
    {S_TELECOM, 0, 0.15, -0.2, 0.8},     {S_TELECOM, 1, 0.6, 0.1, 1.0},
    {S_TELECOM, 1, 0.4, 0.0, 0.9},       {S_ECOMMERCE, 0, 0.4, 0.1, 1.0},
    {S_ECOMMERCE, 0, 0.25, 0.0, 1.3},    {S_ECOMMERCE, 0, 0.2, -0.1, 0.8},
    {S_ECOMMERCE, 1, 1.0, 0.1, 1.0},     {S_UTILITIES, 0, 0.4, 0.1, 1.0},
    {S_UTILITIES, 0, 0.35, 0.0, 1.2},    {S_UTILITIES, 0, 0.25, -0.1, 0.9},
    {S_FINANCE, 0, 0.4, 0.0, 1.0},       {S_FINANCE, 0, 0.35, -0.3, 0.7},
    {S_FINANCE, 0, 0.25, 0.2, 1.3},      {S_INSURANCE, 0, 0.6, 0.0, 1.0},
    {S_INSURANCE, 0, 0.4, -0.1, 0.8},    {S_INSURANCE, 1, 1.0, 0.1, 1.1},
    {S_HEALTHCARE, 0, 0.45, 0.1, 1.5},   {S_HEALTHCARE, 0, 0.35, 0.0, 1.0},
    {S_HEALTHCARE, 0, 0.20, 0.0, 0.4},   {S_WHOLESALE, 0, 0.5, 0.0, 1.0},
    {S_WHOLESALE, 0, 0.3, 0.1, 1.2},     {S_WHOLESALE, 0, 0.2, -0.1, 0.8},
    {S_CONSTRUCTION, 0, 0.45, 0.0, 0.8}, {S_CONSTRUCTION, 0, 0.35, -0.2, 1.2},
    {S_CONSTRUCTION, 0, 0.20, 0.1, 0.6}, {S_LOGISTICS, 0, 0.6, 0.0, 1.0},
    {S_LOGISTICS, 0, 0.4, -0.1, 1.1},    {S_SERVICES, 0, 0.4, 0.1, 1.0},
    {S_SERVICES, 0, 0.35, 0.0, 1.1},     {S_SERVICES, 0, 0.25, 0.0, 0.5},
    {S_TELECOM, 0, 0.10, -0.3, 0.9},     {S_ECOMMERCE, 0, 0.15, -0.2, 0.9},
};
_Static_assert(COUNT_OF(creditors) == INK__GEN_CREDITOR_COUNT,
               "one row per creditor");

const char *const ink__gen_product_names[INK__GEN_PRODUCT_COUNT] = {
    "mobile contract",
    "broadband",
    "Handy, Tablet & Zubehör",
    "online order",
    "buy now, pay later",
    "marketplace order",
    "electricity",
    "gas",
    "Strom, Gas & Wärme",
    "consumer loan",
    "credit card",
    "overdraft",
    "car insurance",
    "household insurance",
    "liability insurance",
    "dental invoice",
    "hospital invoice",
    "lab invoice",
    "goods invoice",
    "spare parts",
    "construction invoice",
    "equipment rental",
    "freight invoice",
    "warehousing",
    "service contract",
    "consulting invoice",
    "software licence",
    "\"Premium\" membership",
};

/* Products are not country-specific: `swiss` is unused here. */
static const named_info products[] = {
    {S_TELECOM, 0, 0.50, 0.0, 1.0},       {S_TELECOM, 0, 0.30, 0.1, 0.9},
    {S_TELECOM, 0, 0.20, -0.2, 2.5},      {S_ECOMMERCE, 0, 0.45, 0.1, 1.0},
    {S_ECOMMERCE, 0, 0.30, -0.2, 0.8},    {S_ECOMMERCE, 0, 0.20, 0.0, 1.2},
    {S_UTILITIES, 0, 0.50, 0.0, 1.0},     {S_UTILITIES, 0, 0.30, 0.0, 1.1},
    {S_UTILITIES, 0, 0.20, -0.1, 1.6},    {S_FINANCE, 0, 0.40, -0.2, 2.0},
    {S_FINANCE, 0, 0.40, 0.0, 0.8},       {S_FINANCE, 0, 0.20, 0.1, 0.6},
    {S_INSURANCE, 0, 0.40, 0.1, 1.2},     {S_INSURANCE, 0, 0.35, 0.1, 0.6},
    {S_INSURANCE, 0, 0.25, 0.1, 0.5},     {S_HEALTHCARE, 0, 0.40, 0.1, 1.5},
    {S_HEALTHCARE, 0, 0.35, 0.2, 1.2},    {S_HEALTHCARE, 0, 0.25, 0.3, 0.3},
    {S_WHOLESALE, 0, 0.70, 0.0, 1.0},     {S_WHOLESALE, 0, 0.30, 0.1, 0.5},
    {S_CONSTRUCTION, 0, 0.70, -0.1, 1.3}, {S_CONSTRUCTION, 0, 0.30, 0.1, 0.6},
    {S_LOGISTICS, 0, 0.60, 0.0, 1.0},     {S_LOGISTICS, 0, 0.40, 0.0, 1.2},
    {S_SERVICES, 0, 0.40, 0.1, 1.0},      {S_SERVICES, 0, 0.35, 0.0, 1.5},
    {S_SERVICES, 0, 0.25, 0.1, 0.8},      {S_ECOMMERCE, 0, 0.05, -0.3, 0.5},
};
_Static_assert(COUNT_OF(products) == INK__GEN_PRODUCT_COUNT,
               "one row per product");

const char *const ink__gen_region_names[INK__GEN_REGION_COUNT] = {
    "Nordrhein-Westfalen",
    "Bayern",
    "Baden-Württemberg",
    "Niedersachsen",
    "Hessen",
    "Sachsen",
    "Berlin",
    "Rheinland-Pfalz",
    "Schleswig-Holstein",
    "Brandenburg",
    "Sachsen-Anhalt",
    "Thüringen",
    "Hamburg",
    "Mecklenburg-Vorpommern",
    "Saarland",
    "Bremen",
    "Zürich",
    "Bern",
    "Basel",
    "Luzern",
    "Genève"};

/* sector unused; swiss; population weight; propensity effect */
static const named_info regions[] = {
    {-1, 0, 0.215, 0.0, 1},   {-1, 0, 0.158, 0.15, 1},
    {-1, 0, 0.133, 0.15, 1},  {-1, 0, 0.096, 0.0, 1},
    {-1, 0, 0.076, 0.05, 1},  {-1, 0, 0.048, -0.15, 1},
    {-1, 0, 0.044, -0.2, 1},  {-1, 0, 0.049, 0.0, 1},
    {-1, 0, 0.035, 0.0, 1},   {-1, 0, 0.030, -0.15, 1},
    {-1, 0, 0.026, -0.25, 1}, {-1, 0, 0.025, -0.15, 1},
    {-1, 0, 0.022, 0.0, 1},   {-1, 0, 0.019, -0.2, 1},
    {-1, 0, 0.012, -0.05, 1}, {-1, 0, 0.008, -0.2, 1},
    {-1, 1, 0.35, 0.1, 1},    {-1, 1, 0.20, 0.1, 1},
    {-1, 1, 0.15, 0.0, 1},    {-1, 1, 0.15, 0.1, 1},
    {-1, 1, 0.15, -0.1, 1},
};
_Static_assert(COUNT_OF(regions) == INK__GEN_REGION_COUNT,
               "one row per region");

enum { H_INHOUSE, H_NORD, H_SUED, H_I24, H_KANZLEI, H_CH };

const char *const ink__gen_handler_names[INK__GEN_HANDLER_COUNT] = {
    "inhouse",
    "partner_nord",
    "partner_sued",
    "inkasso24",
    "Kanzlei Weber, Fischer & Partner",
    "partner_ch"};
const char *const ink__gen_agent_prefixes[INK__GEN_HANDLER_COUNT] = {
    "AG", "PN-", "PS-", "I24-", "KWF-", "PCH-"};
/* Partners' systems export timestamps differently: a realistic mix. */
const uint8_t ink__gen_handler_ts_style[INK__GEN_HANDLER_COUNT] = {
    INK__GEN_TS_OFFSET, INK__GEN_TS_UTC,   INK__GEN_TS_LOCAL,
    INK__GEN_TS_OFFSET, INK__GEN_TS_LOCAL, INK__GEN_TS_OFFSET};

enum { STRAT_CLASSIC, STRAT_DIGITAL, STRAT_CALL, STRAT_COUNT };
_Static_assert(STRAT_COUNT == INK__GEN_STRATEGY_COUNT, "one per strategy");
const char *const ink__gen_strategy_names[INK__GEN_STRATEGY_COUNT] = {
    "classic", "digital", "call"};

typedef struct handler_info {
    int agents;
    double effect;           /* on the propensity logit */
    double mix[STRAT_COUNT]; /* how often each strategy is used */
    double evening;          /* share of cases worked in the evening slot */
    double cost_missing;     /* share of contacts without a cost */
    double voicebot;         /* share of B2C calls made by a voicebot */
    int duration_min;        /* days of active collection, B2C */
    int duration_range;
    double write_off;    /* at the end: written_off, else recalled */
    double early_recall; /* creditor takes the case back early */
} handler_info;

static const handler_info handlers[] = {
    [H_INHOUSE] =
        {60, 0.0, {0.35, 0.45, 0.20}, 0.5, 0.01, 0.15, 160, 90, 0.8, 0.02},
    [H_NORD] =
        {20, 0.10, {0.25, 0.15, 0.60}, 0.3, 0.02, 0.05, 130, 80, 0.3, 0.04},
    [H_SUED] =
        {16, -0.15, {0.20, 0.70, 0.10}, 0.6, 1.0, 0.5, 100, 70, 0.3, 0.04},
    [H_I24] =
        {16, -0.05, {0.50, 0.30, 0.20}, 0.4, 0.05, 0.1, 130, 80, 0.4, 0.08},
    [H_KANZLEI] =
        {8, 0.20, {0.60, 0.05, 0.35}, 0.2, 0.1, 0.0, 200, 120, 0.5, 0.03},
    [H_CH] = {6, 0.0, {0.40, 0.30, 0.30}, 0.4, 0.02, 0.1, 150, 90, 0.5, 0.03},
};
_Static_assert(COUNT_OF(handlers) == INK__GEN_HANDLER_COUNT,
               "one row per handler");

/* Postage and fees per contact kind (1/10000 units). */
const int64_t ink__gen_cost_eur[INK__GEN_COST_COUNT] = {0,   8500,  9500, 100,
                                                        900, 15000, 2000, 0};
const int64_t ink__gen_cost_chf[INK__GEN_COST_COUNT] = {0,    11000, 12000, 100,
                                                        1200, 18000, 2500,  0};

/* ---- Contact strategies ---------------------------------------------- */

typedef struct plan_step {
    uint8_t channel;
    uint8_t gap; /* days to the next step */
} plan_step;

#define L INK__GEN_LETTER
#define E INK__GEN_EMAIL
#define S INK__GEN_SMS
#define P INK__GEN_PHONE
#define U INK__GEN_PUSH

/* The opening sequence of each strategy, then a tail repeated until the
 * collection period ends. offer_step is the step whose message carries
 * the written offer (conversations present it at any step). */
typedef struct strategy_info {
    const plan_step *open;
    int open_len;
    const plan_step *tail;
    int tail_len;
    int offer_step;
} strategy_info;

static const plan_step classic_open[] = {{L, 10}, {L, 7},  {P, 10}, {P, 10},
                                         {L, 14}, {P, 14}, {L, 21}};
static const plan_step classic_tail[] = {{P, 30}, {L, 35}, {E, 28}, {P, 35}};
static const plan_step digital_open[] = {{E, 3},  {S, 5},  {E, 7},  {U, 7},
                                         {L, 10}, {P, 10}, {E, 14}, {L, 21}};
static const plan_step digital_tail[] = {{E, 30}, {S, 28}, {L, 35}, {P, 35}};
static const plan_step call_open[] = {{P, 2}, {P, 5},  {L, 7}, {P, 7},
                                      {S, 7}, {P, 10}, {L, 21}};
static const plan_step call_tail[] = {{P, 28}, {L, 35}, {P, 28}, {S, 35}};

#undef L
#undef E
#undef S
#undef P
#undef U

static const strategy_info strategies[STRAT_COUNT] = {
    {classic_open, (int)COUNT_OF(classic_open), classic_tail,
     (int)COUNT_OF(classic_tail), 4},
    {digital_open, (int)COUNT_OF(digital_open), digital_tail,
     (int)COUNT_OF(digital_tail), 6},
    {call_open, (int)COUNT_OF(call_open), call_tail, (int)COUNT_OF(call_tail),
     6},
};

enum { OFFER_NONE, OFFER_PLAN, OFFER_SETTLEMENT };
const char *const ink__gen_offer_names[INK__GEN_OFFER_COUNT] = {"none", "plan",
                                                                "settlement"};

/* How the debtor engaged: decides the weight of the conversation and the
 * way they pay. */
enum {
    VIA_LETTER,
    VIA_EMAIL,
    VIA_SMS,
    VIA_PUSH,
    VIA_CALL,
    VIA_BOT,
    VIA_IN_PORTAL,
    VIA_IN_PHONE,
    VIA_IN_EMAIL,
    VIA_COUNT
};
static const double via_commit_effect[VIA_COUNT] = {0.1,  0.0, 0.0, 0.0, 0.5,
                                                    -0.1, 0.5, 0.6, 0.2};
static const uint8_t via_conversation[VIA_COUNT] = {0, 0, 0, 0, 1, 0, 1, 1, 0};
static const uint8_t via_digital[VIA_COUNT] = {0, 1, 1, 1, 0, 0, 1, 0, 1};

/* ---- The world ------------------------------------------------------- */

enum {
    STREAM_DEBTOR = 1,
    STREAM_AGENTS = 2,
    STREAM_PERM = 3,
    STREAM_REPLICA = 4
};

void ink__gen_world_init(ink__gen_world *w, uint64_t seed, uint64_t cases,
                         int32_t end_day)
{
    memset(w, 0, sizeof *w);
    w->seed = seed;
    w->cases = cases;
    w->end_day = end_day;
    /* The debtor permutation works on 2^(2 * half) >= cases values. */
    int bits = 2;
    while (bits < 62 && (UINT64_C(1) << bits) < cases)
        bits++;
    w->perm_half_bits = (bits + 1) / 2;
    ink__rng r;
    ink__rng_seed(&r, seed, (uint64_t)STREAM_PERM << 56);
    for (int i = 0; i < 4; i++)
        w->perm_keys[i] = ink__rng_next(&r);
    ink__rng_seed(&r, seed, (uint64_t)STREAM_AGENTS << 56);
    for (int h = 0; h < INK__GEN_HANDLER_COUNT; h++)
        for (int a = 0; a < INK__GEN_MAX_AGENTS; a++)
            w->agent_skill[h][a] = 0.3 * ink__rng_normal(&r);
}

/*
 * Case i's debtor. Cases are spread over debtors through a pseudo-random
 * permutation of [0, cases): a 4-round Feistel network (Luby and Rackoff,
 * SIAM J. Comput. 1988) on the smallest even bit width, restricted to the
 * domain by cycle walking (Black and Rogaway, "Ciphers with Arbitrary
 * Finite Domains", CT-RSA 2002). Slots are then dealt in blocks of 100
 * to 72 debtors: 55 with one case, 10 with two, 4 with three, 2 with four
 * and 1 with five, so about 0.72 debtors per case, each with its cases
 * scattered over the placement months, and no per-case memory.
 */
static uint64_t feistel(const ink__gen_world *w, uint64_t x)
{
    const int half = w->perm_half_bits;
    const uint64_t mask = (UINT64_C(1) << half) - 1;
    uint64_t left = x >> half, right = x & mask;
    for (int round = 0; round < 4; round++) {
        uint64_t f = ink__mix64(right ^ w->perm_keys[round]) & mask;
        uint64_t next = left ^ f;
        left = right;
        right = next;
    }
    return (left << half) | right;
}

static const uint8_t debtor_sizes[5] = {55, 10, 4, 2, 1}; /* of 1..5 */

static uint64_t debtor_of(const ink__gen_world *w, uint64_t index)
{
    const uint8_t *sizes = debtor_sizes;
    uint64_t slot = feistel(w, index);
    while (slot >= w->cases)
        slot = feistel(w, slot);
    uint64_t block = slot / 100;
    unsigned pos = (unsigned)(slot % 100), first_debtor = 0;
    for (unsigned k = 0; k < 5; k++) {
        unsigned span = sizes[k] * (k + 1);
        if (pos < span) {
            first_debtor += pos / (k + 1);
            break;
        }
        pos -= span;
        first_debtor += sizes[k];
    }
    return block * 72 + first_debtor + 1;
}

uint64_t ink__gen_debtor_count(uint64_t cases)
{
    uint64_t debtors = cases / 100 * 72;
    unsigned rest = (unsigned)(cases % 100), start = 0;
    for (unsigned k = 0; k < 5; k++)
        for (unsigned d = 0; d < debtor_sizes[k]; d++) {
            if (start < rest)
                debtors++;
            start += k + 1;
        }
    return debtors;
}

/* ---- One case -------------------------------------------------------- */

#define TERMINAL INT32_MIN

typedef struct sim {
    const ink__gen_world *w;
    ink__rng rng;
    ink__gen_case *c;
    const handler_info *h;
    int32_t horizon;
    /* debtor */
    int b2b;
    double willingness;    /* u: the debtor's latent will to pay */
    double responsiveness; /* e: how readily they answer */
    double digital;        /* affinity to email, sms and push */
    double capacity;       /* affordable monthly instalment, EUR */
    int has_email, email_ok, has_phone, has_mobile, phone_ok;
    int address_ok, has_app, app_ok;
    /* case */
    double propensity; /* z: logit of paying once engaged */
    double unit_eur;   /* EUR per major unit of the case currency */
    int age_days;
    int aged;
    int strategy, evening, offer;
    int step;
    int broken;      /* broken promises and plans so far */
    int engagements; /* responded or inbound contacts so far */
    int tries[INK__GEN_CHANNEL_COUNT];
    unsigned dead; /* channels given up after invalid contact data */
    int owner;     /* B2B in-house: the case owner agent */
    int last_agent;
    int32_t last_event; /* latest contact or payment day so far */
    /* The valid outbound contact whose consequences are being simulated:
     * every payment made until the next one is credited to it. */
    int32_t cause_on;
    int cause_channel, cause_kind;
    int64_t remaining;  /* still owed, 1/10000 units */
    int64_t paid_total; /* collected net, 1/10000 units */
} sim;

static double unit(sim *s)
{
    return ink__rng_unit(&s->rng);
}

static int chance(sim *s, double p)
{
    return ink__rng_chance(&s->rng, p);
}

static int below(sim *s, uint32_t n)
{
    return (int)ink__rng_below(&s->rng, n);
}

static int pick_weighted(sim *s, const double *weights, int n)
{
    double total = 0;
    for (int i = 0; i < n; i++)
        total += weights[i];
    double x = unit(s) * total;
    for (int i = 0; i < n; i++) {
        if (x < weights[i])
            return i;
        x -= weights[i];
    }
    return n - 1;
}

/* A weighted pick among table rows of one sector and country. */
static int pick_named(sim *s, const named_info *table, int n, int sector,
                      int swiss)
{
    double total = 0;
    for (int i = 0; i < n; i++)
        if ((sector < 0 || table[i].sector == sector) &&
            table[i].swiss == swiss)
            total += table[i].weight;
    double x = unit(s) * total;
    int last = -1;
    for (int i = 0; i < n; i++) {
        if ((sector < 0 || table[i].sector == sector) &&
            table[i].swiss == swiss) {
            last = i;
            if (x < table[i].weight)
                return i;
            x -= table[i].weight;
        }
    }
    return last;
}

static int64_t major_to_units(double major, int64_t step_units)
{
    int64_t units = (int64_t)(major * 10000.0 / (double)step_units + 0.5);
    return units * step_units;
}

static int32_t add_months(int32_t day, int months)
{
    int32_t y, m, d;
    ink_civil_from_days(day, &y, &m, &d);
    int32_t total = y * 12 + (m - 1) + months;
    y = total / 12;
    m = total % 12 + 1;
    int32_t next_first = m == 12 ? ink_days_from_civil(y + 1, 1, 1)
                                 : ink_days_from_civil(y, m + 1, 1);
    int32_t dim = next_first - ink_days_from_civil(y, m, 1);
    return ink_days_from_civil(y, m, d > dim ? dim : d);
}

static void add_contact(sim *s, int32_t day, int hour, int channel,
                        int direction, int outcome, int automated, int agent,
                        int cost)
{
    ink__gen_case *c = s->c;
    if (day > s->horizon || c->contact_count >= INK__GEN_MAX_CONTACTS)
        return;
    ink__gen_contact *k = &c->contacts[c->contact_count++];
    if (day > s->last_event)
        s->last_event = day;
    k->day = day;
    k->seconds = hour * 3600 + below(s, 3600);
    k->channel = (uint8_t)channel;
    k->direction = (uint8_t)direction;
    k->outcome = (uint8_t)outcome;
    k->automated = (uint8_t)automated;
    k->agent = (uint16_t)agent;
    /* The partner without cost data sends none; others miss a few. */
    if (cost != INK__GEN_COST_NONE && chance(s, s->h->cost_missing))
        cost = INK__GEN_COST_NONE;
    k->cost = (uint8_t)cost;
    k->fraction = channel == INK__GEN_PORTAL;
    k->millis = k->fraction ? (uint16_t)below(s, 1000) : 0;
}

/* Returns 1 when the payment is dated within the data. */
static int add_payment(sim *s, int32_t day, int64_t amount, int method)
{
    ink__gen_case *c = s->c;
    if (day > s->horizon || c->payment_count >= INK__GEN_MAX_PAYMENTS)
        return 0;
    ink__gen_payment *p = &c->payments[c->payment_count++];
    if (day > s->last_event)
        s->last_event = day;
    p->day = day;
    p->amount = amount;
    p->method = (uint8_t)method;
    /* The conversion is the earliest positive payment (as journeys define
     * it); a later-simulated payment dated earlier would take over. */
    if (amount > 0 &&
        (c->converted_on == INK_DATE_NONE || day < c->converted_on)) {
        c->converted_on = day;
        c->cause_on = s->cause_on;
        c->cause_channel = (uint8_t)s->cause_channel;
        c->cause_kind = (uint8_t)s->cause_kind;
    }
    return 1;
}

/* Closes the case when the closing date is within the data; a case whose
 * closing falls after the as-of date is simply still open. Nothing of the
 * case happens after its closing. */
static int32_t close_case(sim *s, int reason, int32_t day)
{
    if (day < s->last_event)
        day = s->last_event;
    if (day <= s->horizon) {
        s->c->close_reason = (uint8_t)reason;
        s->c->closed_on = day;
    }
    return TERMINAL;
}

static int agent_for(sim *s)
{
    if (s->c->handler == H_INHOUSE)
        return s->b2b ? s->owner : 1 + below(s, 40);
    return 1 + below(s, (uint32_t)s->h->agents);
}

static double agent_skill(const sim *s, int agent)
{
    return agent > 0 ? s->w->agent_skill[s->c->handler][agent - 1] : 0.0;
}

/*
 * Response by hour and weekday (logit shifts). Consumers answer calls and
 * texts best on weekday evenings and Saturdays; businesses in office
 * hours, mornings best. Email is read early and late, letters do not care.
 */
static double timing_effect(int b2b, int channel, int hour, int weekday)
{
    const int weekend = weekday >= 5;
    switch (channel) {
    case INK__GEN_PHONE:
        if (b2b) {
            if (weekend)
                return -1.0;
            if (hour < 12)
                return 0.5;
            if (hour < 14)
                return -0.2;
            if (hour < 17)
                return weekday == 4 ? -0.2 : 0.2;
            return -0.8;
        }
        if (weekday == 5)
            return 0.4;
        if (hour < 12)
            return -0.3 + (weekday == 0 ? 0.1 : 0.0);
        if (hour < 14)
            return 0.1;
        if (hour < 17)
            return weekday == 4 ? -0.3 : -0.1;
        return weekday == 4 ? 0.3 : 0.7;
    case INK__GEN_SMS:
        if (b2b)
            return weekend ? -0.6 : (hour < 12 ? 0.2 : 0.0);
        return (hour >= 17 ? 0.5 : (hour < 12 ? -0.2 : 0.0)) +
               (weekend ? 0.2 : 0.0);
    case INK__GEN_EMAIL:
        if (b2b)
            return weekend ? -0.6 : (hour >= 8 && hour < 11 ? 0.4 : 0.0);
        return (hour < 9 || hour >= 19 ? 0.3 : 0.0) + (weekend ? 0.1 : 0.0);
    case INK__GEN_PUSH:
        return hour >= 18 ? 0.6 : -0.1;
    default:
        return 0.0;
    }
}

static int hour_for(sim *s, int channel, int manual, int weekday)
{
    /* Agents do not always keep the planned slot: a quarter of the work
     * lands in the other one, which keeps every hour observed. */
    int evening = s->evening ^ chance(s, 0.25);
    switch (channel) {
    case INK__GEN_LETTER:
        return 6 + below(s, 3); /* the morning print run */
    case INK__GEN_EMAIL:
        if (manual)
            return 8 + below(s, 9);
        if (s->b2b)
            return evening ? 15 + below(s, 3) : 7 + below(s, 4);
        return evening ? 18 + below(s, 4) : 7 + below(s, 4);
    case INK__GEN_SMS:
        return evening ? 17 + below(s, 4) : 9 + below(s, 4);
    case INK__GEN_PUSH:
        return evening ? 18 + below(s, 4) : 10 + below(s, 4);
    case INK__GEN_PHONE:
        if (weekday == 5)
            return 9 + below(s, 5);
        return evening ? 16 + below(s, 4) : 9 + below(s, 7);
    default:
        return 9 + below(s, 9);
    }
}

static int channel_valid(const sim *s, int channel)
{
    switch (channel) {
    case INK__GEN_LETTER:
        return s->address_ok;
    case INK__GEN_EMAIL:
        return s->email_ok;
    case INK__GEN_PUSH:
        return s->app_ok;
    default:
        return s->phone_ok;
    }
}

static int channel_known(const sim *s, int channel)
{
    if (s->dead & (1u << channel))
        return 0;
    switch (channel) {
    case INK__GEN_EMAIL:
        return s->has_email;
    case INK__GEN_SMS:
        return s->has_mobile;
    case INK__GEN_PHONE:
        return s->has_phone;
    case INK__GEN_PUSH: /* the creditor's app sends it */
        return s->has_app && sectors[s->c->sector].app;
    default:
        return 1;
    }
}

/* The planned channel, or the next one we have contact data for. */
static int usable_channel(const sim *s, int planned)
{
    static const uint8_t fallback[INK__GEN_CHANNEL_COUNT][4] = {
        [INK__GEN_LETTER] = {INK__GEN_LETTER, INK__GEN_EMAIL, INK__GEN_SMS,
                             INK__GEN_PHONE},
        [INK__GEN_EMAIL] = {INK__GEN_EMAIL, INK__GEN_SMS, INK__GEN_LETTER,
                            INK__GEN_LETTER},
        [INK__GEN_SMS] = {INK__GEN_SMS, INK__GEN_EMAIL, INK__GEN_LETTER,
                          INK__GEN_LETTER},
        [INK__GEN_PHONE] = {INK__GEN_PHONE, INK__GEN_SMS, INK__GEN_LETTER,
                            INK__GEN_EMAIL},
        [INK__GEN_PUSH] = {INK__GEN_PUSH, INK__GEN_SMS, INK__GEN_EMAIL,
                           INK__GEN_LETTER},
        [INK__GEN_PORTAL] = {INK__GEN_EMAIL, INK__GEN_LETTER, INK__GEN_LETTER,
                             INK__GEN_LETTER},
    };
    for (int i = 0; i < 4; i++)
        if (channel_known(s, fallback[planned][i]))
            return fallback[planned][i];
    return -1;
}

static int32_t next_workday(int32_t day, int saturday_ok)
{
    int wd = ink_weekday(day);
    if (wd == 6)
        return day + 1;
    if (wd == 5 && !saturday_ok)
        return day + 2;
    return day;
}

/*
 * One outbound attempt on `channel` planned for *day (moved to a working
 * day where the channel needs one). Returns the outcome; *via tells how
 * a response came about.
 */
static int outbound(sim *s, int channel, int32_t *day, int *via)
{
    int manual = 0, automated = INK__GEN_AUTOMATED, agent = 0;
    int cost = INK__GEN_COST_NONE;
    double effect = 0.0;
    switch (channel) {
    case INK__GEN_LETTER:
        *day = next_workday(*day, 0);
        cost = s->b2b ? INK__GEN_COST_LETTER_B2B : INK__GEN_COST_LETTER;
        effect = -3.0;
        *via = VIA_LETTER;
        break;
    case INK__GEN_PHONE:
        manual = s->b2b ? !chance(s, 0.02) : !chance(s, s->h->voicebot);
        *day = next_workday(*day, !s->b2b);
        cost = manual ? INK__GEN_COST_PHONE : INK__GEN_COST_VOICEBOT;
        effect = manual ? (s->b2b ? -0.5 : -0.8) : -1.8;
        *via = manual ? VIA_CALL : VIA_BOT;
        break;
    case INK__GEN_EMAIL:
        manual = chance(s, s->b2b ? 0.2 : 0.05);
        if (s->b2b || manual)
            *day = next_workday(*day, 0);
        cost = INK__GEN_COST_EMAIL;
        effect = -2.7 + 0.4 * s->digital;
        *via = VIA_EMAIL;
        break;
    case INK__GEN_SMS:
        if (s->b2b)
            *day = next_workday(*day, 0);
        cost = INK__GEN_COST_SMS;
        effect = -2.2 + 0.4 * s->digital;
        *via = VIA_SMS;
        break;
    default: /* push */
        cost = INK__GEN_COST_PUSH;
        effect = -2.3 + 0.5 * s->digital;
        *via = VIA_PUSH;
        break;
    }
    if (channel == INK__GEN_EMAIL || channel == INK__GEN_SMS ||
        channel == INK__GEN_PUSH)
        effect += sectors[s->c->sector].digital;
    if (manual) {
        agent = agent_for(s);
        automated = chance(s, 0.08) ? INK__GEN_AUTO_EMPTY : INK__GEN_MANUAL;
        effect += 0.5 * agent_skill(s, agent);
        s->last_agent = agent;
    }
    const int weekday = ink_weekday(*day);
    const int hour = hour_for(s, channel, manual, weekday);
    int outcome;
    if (!channel_valid(s, channel)) {
        outcome = INK_OUTCOME_INVALID;
        /* Usually the bad address, number or mailbox is then dropped;
         * sms and phone share the number. */
        if (chance(s, channel == INK__GEN_LETTER ? 0.6 : 0.85)) {
            s->dead |= 1u << channel;
            if (channel == INK__GEN_SMS || channel == INK__GEN_PHONE)
                s->dead |= (1u << INK__GEN_SMS) | (1u << INK__GEN_PHONE);
        }
    } else {
        double logit = effect + timing_effect(s->b2b, channel, hour, weekday) +
                       0.45 * s->responsiveness + 0.25 * s->willingness -
                       0.15 * s->tries[channel] + 0.5 * s->h->effect;
        if (chance(s, ink__sigmoid(logit)))
            outcome = INK_OUTCOME_RESPONDED;
        else {
            /* No reaction: a call rings out or reaches a third party or
             * mailbox; a message is delivered or silently dropped. */
            static const double delivered_share[INK__GEN_CHANNEL_COUNT] = {
                0.9, 0.7, 0.85, 0.35, 0.6, 1.0};
            outcome = chance(s, delivered_share[channel])
                          ? INK_OUTCOME_DELIVERED
                          : INK_OUTCOME_NO_RESPONSE;
        }
    }
    s->tries[channel]++;
    add_contact(s, *day, hour, channel, INK_DIRECTION_OUT, outcome, automated,
                agent, cost);
    return outcome;
}

/* The debtor gets in touch: portal visit, call or mail. Returns the via. */
static int inbound(sim *s, int32_t day)
{
    static const double b2c_mix[3] = {0.5, 0.35, 0.15};
    static const double b2b_mix[3] = {0.1, 0.4, 0.5};
    int kind = pick_weighted(s, s->b2b ? b2b_mix : b2c_mix, 3);
    if (kind == 1 && ink_weekday(day) == 6)
        kind = 0; /* the hotline is closed on Sundays */
    if (kind == 0) {
        int hour = chance(s, 0.5) ? 18 + below(s, 6) : 6 + below(s, 12);
        add_contact(s, day, hour, INK__GEN_PORTAL, INK_DIRECTION_IN,
                    INK_OUTCOME_RESPONDED, INK__GEN_AUTOMATED, 0,
                    INK__GEN_COST_NONE);
        return VIA_IN_PORTAL;
    }
    int agent = agent_for(s);
    s->last_agent = agent;
    if (kind == 1) {
        add_contact(s, day, 8 + below(s, 10), INK__GEN_PHONE, INK_DIRECTION_IN,
                    INK_OUTCOME_RESPONDED, INK__GEN_MANUAL, agent,
                    INK__GEN_COST_NONE);
        return VIA_IN_PHONE;
    }
    add_contact(s, day, 7 + below(s, 16), INK__GEN_EMAIL, INK_DIRECTION_IN,
                INK_OUTCOME_RESPONDED, INK__GEN_MANUAL, agent,
                INK__GEN_COST_NONE);
    return VIA_IN_EMAIL;
}

static int payment_lag(sim *s)
{
    double lag = s->b2b ? 3 + ink__rng_exponential(&s->rng, 11.0)
                        : 1 + ink__rng_exponential(&s->rng, 4.5);
    int cap = s->b2b ? 60 : 30;
    return lag > cap ? cap : (int)lag;
}

static int method_for(sim *s, int via)
{
    if (s->b2b)
        return chance(s, via_digital[via] ? 0.8 : 0.95) ? INK__GEN_BANK_TRANSFER
                                                        : INK__GEN_PORTAL_PAY;
    static const double digital_mix[3] = {0.20, 0.35, 0.45};
    static const double other_mix[3] = {0.75, 0.15, 0.10};
    int k = pick_weighted(s, via_digital[via] ? digital_mix : other_mix, 3);
    return k == 0 ? INK__GEN_BANK_TRANSFER
                  : (k == 1 ? INK__GEN_CARD : INK__GEN_PORTAL_PAY);
}

/*
 * Pays `amount` on `day`. Direct debits are sometimes returned and cards
 * charged back: the reversal is a negative row a few days later, and most
 * debtors then pay again by transfer. Returns the day the money is in for
 * good, or TERMINAL when the reversal was not made good.
 */
static int32_t pay(sim *s, int32_t day, int64_t amount, int method)
{
    /* Past the as-of date nothing is written, but the bookkeeping goes
     * on so that later steps (also past it) stay consistent. */
    s->remaining -= amount;
    s->paid_total += amount;
    if (!add_payment(s, day, amount, method))
        return day;
    if (method == INK__GEN_CARD || method == INK__GEN_PORTAL_PAY) {
        /* Paying by card or in the portal leaves a portal visit. */
        if (chance(s, 0.9)) {
            int hour = chance(s, 0.5) ? 18 + below(s, 6) : 7 + below(s, 11);
            add_contact(s, day, hour, INK__GEN_PORTAL, INK_DIRECTION_IN,
                        INK_OUTCOME_RESPONDED, INK__GEN_AUTOMATED, 0,
                        INK__GEN_COST_NONE);
        }
    }
    double p_reverse = method == INK__GEN_DIRECT_DEBIT
                           ? 0.05
                           : (method == INK__GEN_CARD ? 0.02 : 0.003);
    if (chance(s, p_reverse)) {
        int32_t back = day + 2 + below(s, 7);
        if (!add_payment(s, back, -amount, method))
            return day;
        if (!chance(s, 0.75)) {
            s->remaining += amount;
            s->paid_total -= amount;
            return TERMINAL;
        }
        int32_t again = back + 5 + below(s, 16);
        add_payment(s, again, amount, INK__GEN_BANK_TRANSFER);
        day = again;
    }
    return day;
}

/* Whole major units where the amount allows it, else cents. */
static int64_t round_down_units(int64_t units)
{
    return units >= 100000 ? units / 10000 * 10000 : units / 100 * 100;
}

static int32_t pay_in_full(sim *s, int32_t day, int via)
{
    int method = method_for(s, via);
    int32_t when = day + payment_lag(s);
    if (s->remaining >= 1000000 && chance(s, 0.15)) {
        int64_t first = round_down_units(s->remaining / 2);
        when = pay(s, when, first, method);
        if (when == TERMINAL)
            return day + 21;
        when = when + 7 + below(s, 14);
    }
    int32_t done = pay(s, when, s->remaining, method);
    if (done == TERMINAL)
        return when + 21;
    return close_case(s, INK_CLOSE_PAID, done + below(s, 4));
}

static int32_t pay_settlement(sim *s, int32_t day, int via)
{
    static const double discounts[6] = {0.15, 0.20, 0.25, 0.30, 0.40, 0.50};
    double discount = discounts[s->aged ? 2 + below(s, 4) : below(s, 4)];
    int64_t agreed =
        round_down_units((int64_t)((double)s->c->amount * (1.0 - discount)));
    if (agreed <= s->paid_total || agreed >= s->c->amount)
        return pay_in_full(s, day, via);
    int method = method_for(s, via);
    int64_t to_pay = agreed - s->paid_total;
    int32_t when = day + payment_lag(s);
    if (to_pay >= 2000000 && chance(s, 0.25)) {
        int64_t first = round_down_units(to_pay / 2);
        when = pay(s, when, first, method);
        if (when == TERMINAL)
            return day + 21;
        to_pay -= first;
        when = add_months(when, 1);
    }
    int32_t done = pay(s, when, to_pay, method);
    if (done == TERMINAL)
        return when + 21;
    return close_case(s, INK_CLOSE_SETTLED, done + below(s, 4));
}

/* Monthly instalments; a missed one is either made up late or breaks the
 * plan, and collection resumes. Plans running at the as-of date stay
 * open. Reminder texts go out before transfer instalments. */
static int32_t pay_plan(sim *s, int32_t day)
{
    double remaining_eur = (double)s->remaining / 10000.0 * s->unit_eur;
    int n = (int)(remaining_eur / s->capacity + 0.5);
    n = n < 2 ? 2 : (n > 12 ? 12 : n);
    int64_t base = round_down_units(s->remaining / n);
    int64_t last = s->remaining - base * (n - 1);
    int method = chance(s, s->b2b ? 0.3 : 0.6) ? INK__GEN_DIRECT_DEBIT
                                               : INK__GEN_BANK_TRANSFER;
    int32_t first = day + 5 + below(s, 8);
    int32_t done = first;
    double p_miss = ink__sigmoid(-s->propensity - 2.6);
    for (int k = 0; k < n; k++) {
        int32_t due = add_months(first, k);
        if (due > s->horizon)
            return TERMINAL;
        if (method == INK__GEN_BANK_TRANSFER && s->has_mobile &&
            !(s->dead & (1u << INK__GEN_SMS)) && chance(s, 0.5)) {
            int via;
            int32_t remind = due - 3;
            outbound(s, INK__GEN_SMS, &remind, &via);
        }
        int32_t when = due;
        if (chance(s, p_miss)) {
            if (chance(s, 0.5)) {
                s->broken++;
                return due + 10;
            }
            when = due + 5 + below(s, 11);
        }
        int32_t in = pay(s, when, k == n - 1 ? last : base, method);
        if (in == TERMINAL) {
            s->broken++;
            return when + 21;
        }
        /* A returned debit made good late can come after the next due. */
        if (in > done)
            done = in;
    }
    return close_case(s, INK_CLOSE_PAID, done + below(s, 4));
}

/*
 * The debtor engaged (answered, replied, visited the portal, called in).
 * They may dispute, commit to pay (in full, by instalments or by an
 * offered settlement), pay a part, or nothing. Returns the day collection
 * resumes, or TERMINAL.
 */
static int32_t engage(sim *s, int32_t day, int via)
{
    s->engagements++;
    double p_dispute = (s->b2b ? 0.06 : 0.025) + sectors[s->c->sector].dispute;
    if (s->engagements == 1 && chance(s, p_dispute))
        return close_case(s, INK_CLOSE_DISPUTED, day + 7 + below(s, 34));
    const strategy_info *st = &strategies[s->strategy];
    const int offered = s->offer != OFFER_NONE &&
                        (via_conversation[via] || s->step >= st->offer_step);
    const double amount_eur = (double)s->remaining / 10000.0 * s->unit_eur;
    /* How heavy the debt is for this debtor: months of affordable
     * instalments. A plan helps in proportion; a settlement always
     * helps, at the price of its discount. */
    const double burden = amount_eur / s->capacity;
    double offer_effect = 0.0;
    if (offered && s->offer == OFFER_SETTLEMENT)
        offer_effect = 1.2;
    else if (offered && s->offer == OFFER_PLAN)
        offer_effect = 0.1 + 0.4 * (burden > 4.0 ? 4.0 : burden);
    double logit = s->propensity + 0.5 + via_commit_effect[via] + offer_effect -
                   0.7 * s->broken - 0.25 * (s->engagements - 1);
    if (via == VIA_CALL || via == VIA_IN_PHONE || via == VIA_IN_EMAIL)
        logit += agent_skill(s, s->last_agent);
    if (chance(s, ink__sigmoid(logit))) {
        if (offered && s->offer == OFFER_SETTLEMENT && chance(s, 0.8))
            return pay_settlement(s, day, via);
        /* Debtors who can pay at once mostly do; the others ask for
         * instalments where offered, and some negotiate them anyway. */
        if ((offered && s->offer == OFFER_PLAN && burden > 1.5 &&
             chance(s, 0.85)) ||
            (burden > 6.0 && chance(s, 0.4)) ||
            (burden > 2.0 && chance(s, 0.2)))
            return pay_plan(s, day);
        return pay_in_full(s, day, via);
    }
    /* No commitment; some pay a part to show good will. */
    if (amount_eur >= 30 && chance(s, 0.3)) {
        int64_t part = round_down_units(
            (int64_t)((double)s->remaining * (0.2 + 0.3 * unit(s))));
        if (part > 0 && part < s->remaining) {
            int32_t when = day + payment_lag(s);
            if (pay(s, when, part, method_for(s, via)) == TERMINAL)
                s->broken++;
            return when + 14;
        }
    }
    return day;
}

static double inbound_chance(const sim *s, int channel)
{
    static const double prompt[INK__GEN_CHANNEL_COUNT] = {0.7, 0.3, 0.4,
                                                          0.5, 0.2, 0.0};
    return ink__sigmoid(-3.4 + prompt[channel] + 0.4 * s->responsiveness +
                        0.3 * s->willingness);
}

/* Paying without ever answering: the reminder alone did it. */
static double silent_chance(const sim *s, int channel)
{
    static const double prompt[INK__GEN_CHANNEL_COUNT] = {0.5, 0.1, 0.2,
                                                          0.3, 0.1, 0.0};
    return ink__sigmoid(s->propensity - 1.7 + prompt[channel] - 0.35 * s->step);
}

static void collect(sim *s)
{
    const strategy_info *st = &strategies[s->strategy];
    const int32_t opened = s->c->opened_on;
    int32_t day = opened + (s->b2b ? 1 + below(s, 3) : below(s, 3));
    const int32_t stop_day = opened + s->h->duration_min +
                             below(s, (uint32_t)s->h->duration_range) +
                             (s->b2b ? 45 : 0);
    const int32_t recall_day =
        chance(s, s->h->early_recall) ? opened + 10 + below(s, 240) : INT32_MAX;
    int retries = 0;
    for (s->step = 0;;) {
        if (day > s->horizon)
            return;
        /* A plan can run past these dates: closing waits for it. */
        if (day >= recall_day) {
            close_case(s, INK_CLOSE_RECALLED,
                       recall_day > s->last_event ? recall_day
                                                  : s->last_event + 1);
            return;
        }
        if (day > stop_day) {
            int reason = chance(s, s->h->write_off) ? INK_CLOSE_WRITTEN_OFF
                                                    : INK_CLOSE_RECALLED;
            int32_t when = stop_day + 10 + below(s, 30);
            close_case(s, reason,
                       when > s->last_event ? when : s->last_event + 1);
            return;
        }
        const plan_step *ps =
            s->step < st->open_len
                ? &st->open[s->step]
                : &st->tail[(s->step - st->open_len) % st->tail_len];
        int32_t next = day + ps->gap + below(s, 3);
        int advance = 1;
        int channel = usable_channel(s, ps->channel);
        if (channel >= 0) {
            int via = VIA_LETTER;
            int outcome = outbound(s, channel, &day, &via);
            if (day > s->horizon)
                return;
            int32_t resume = day;
            if (outcome != INK_OUTCOME_INVALID) {
                s->cause_on = day;
                s->cause_channel = channel;
            }
            if (outcome == INK_OUTCOME_RESPONDED) {
                s->cause_kind = INK__GEN_CAUSE_RESPONDED;
                resume = engage(s, day, via);
            } else if (outcome != INK_OUTCOME_INVALID) {
                if (chance(s, inbound_chance(s, channel))) {
                    int32_t when = day + below(s, 5);
                    if (when > s->horizon)
                        return;
                    s->cause_kind = INK__GEN_CAUSE_INBOUND;
                    resume = engage(s, when, inbound(s, when));
                } else if (chance(s, silent_chance(s, channel))) {
                    s->cause_kind = INK__GEN_CAUSE_SILENT;
                    resume = pay_in_full(s, day, VIA_LETTER);
                } else if (via == VIA_CALL &&
                           outcome == INK_OUTCOME_NO_RESPONSE && retries < 2 &&
                           chance(s, 0.4)) {
                    /* Nobody picked up: call again in a day or two. */
                    retries++;
                    advance = 0;
                    next = day + 1 + below(s, 2);
                }
            }
            if (resume == TERMINAL)
                return;
            if (resume > next)
                next = resume;
            if (advance)
                retries = 0;
        }
        if (next <= day)
            next = day + 1;
        day = next;
        s->step += advance;
    }
}

/* Risk class A..E: the creditor's noisy score of the debtor's will. */
static int risk_class(sim *s)
{
    double score = s->willingness + 0.6 * ink__rng_normal(&s->rng);
    /* Standard normal quantiles 0.10, 0.30, 0.60, 0.85 scaled by the
     * score's sd sqrt(1 + 0.36): 10% E, 20% D, 30% C, 25% B, 15% A. */
    static const double cut[4] = {-1.4946, -0.6116, 0.2954, 1.2087};
    int k = 0;
    while (k < 4 && score >= cut[k])
        k++;
    return 5 - k; /* 1 = A ... 5 = E */
}

static void make_debtor(sim *s, uint64_t debtor)
{
    ink__rng r;
    ink__rng_seed(&r, s->w->seed, ((uint64_t)STREAM_DEBTOR << 56) ^ debtor);
    s->b2b = ink__rng_chance(&r, 0.18);
    s->c->swiss = (uint8_t)ink__rng_chance(&r, 0.03);
    s->willingness = ink__rng_normal(&r);
    s->responsiveness = 0.4 * s->willingness + 0.9 * ink__rng_normal(&r);
    s->digital = ink__rng_normal(&r);
    s->capacity = s->b2b ? ink__rng_lognormal(&r, 1200, 0.7)
                         : ink__rng_lognormal(&r, 60, 0.5);
    s->has_email = ink__rng_chance(&r, s->b2b ? 0.92 : 0.72);
    s->email_ok = s->has_email && ink__rng_chance(&r, 0.82);
    s->has_phone = ink__rng_chance(&r, s->b2b ? 0.95 : 0.85);
    s->has_mobile = s->has_phone && ink__rng_chance(&r, s->b2b ? 0.4 : 0.9);
    s->phone_ok = s->has_phone && ink__rng_chance(&r, s->b2b ? 0.9 : 0.8);
    s->address_ok = ink__rng_chance(&r, s->b2b ? 0.98 : 0.95);
    s->has_app = !s->b2b && ink__rng_chance(&r, 0.25);
    s->app_ok = s->has_app && ink__rng_chance(&r, 0.9);
    /* The region is the debtor's; the country decides the list. */
    int swiss = s->c->swiss;
    double total = 0;
    for (int i = 0; i < INK__GEN_REGION_COUNT; i++)
        if (regions[i].swiss == swiss)
            total += regions[i].weight;
    double x = ink__rng_unit(&r) * total;
    int region = -1;
    for (int i = 0; i < INK__GEN_REGION_COUNT; i++) {
        if (regions[i].swiss != swiss)
            continue;
        region = i;
        if (x < regions[i].weight)
            break;
        x -= regions[i].weight;
    }
    s->c->region = (uint8_t)(region + 1);
}

/* Days a replica may run past its placement: far beyond any collection
 * period and plan, so a replica is never cut by the as-of date. */
#define REPLICA_DAYS 20000

/*
 * Runs `draws` replicas of the collection of the case set up in *s, each
 * on a random stream of its own (seed, STREAM_REPLICA, case, replica), in
 * *scratch, and counts those that paid. *s is not changed: the case's own
 * simulation draws exactly the numbers it draws without replicas.
 */
static void run_replicas(const sim *s, uint64_t index, uint32_t draws,
                         ink__gen_case *scratch, ink__gen_latent *latent)
{
    const ink__gen_case *c = s->c;
    const int32_t opened = c->opened_on;
    for (uint32_t r = 0; r < draws; r++) {
        sim rep = *s;
        memcpy(scratch, c, offsetof(ink__gen_case, contacts));
        rep.c = scratch;
        rep.horizon = opened + REPLICA_DAYS;
        ink__rng_seed(&rep.rng, s->w->seed,
                      ((uint64_t)STREAM_REPLICA << 56) ^ (index << 20) ^ r);
        collect(&rep);
        int any = 0;
        int64_t within_30 = 0;
        for (uint32_t i = 0; i < scratch->payment_count; i++) {
            const ink__gen_payment *p = &scratch->payments[i];
            any |= p->amount > 0;
            if (p->day > opened && p->day <= opened + 30)
                within_30 += p->amount;
        }
        latent->paid_any += (uint32_t)any;
        /* The label of `inkasso score train` on the placement day:
         * collected >= 10 % of what is outstanding (all of it). */
        latent->paid_30 += within_30 * 10 >= c->amount;
    }
}

void ink__gen_case_make(const ink__gen_world *w, uint64_t index,
                        int32_t opened_on, ink__gen_case *out)
{
    ink__gen_case_make_latent(w, index, opened_on, out, NULL, 0, NULL);
}

void ink__gen_case_make_latent(const ink__gen_world *w, uint64_t index,
                               int32_t opened_on, ink__gen_case *out,
                               ink__gen_latent *latent, uint32_t draws,
                               ink__gen_case *scratch)
{
    sim s;
    memset(&s, 0, sizeof s);
    s.w = w;
    s.c = out;
    s.horizon = w->end_day;
    s.last_event = opened_on;
    s.cause_on = INK_DATE_NONE;
    s.cause_channel = INK__GEN_CHANNEL_COUNT;
    ink__rng_seed(&s.rng, w->seed, index);
    out->contact_count = 0;
    out->payment_count = 0;
    out->converted_on = INK_DATE_NONE;
    out->cause_on = INK_DATE_NONE;
    out->cause_channel = INK__GEN_CHANNEL_COUNT;
    out->cause_kind = INK__GEN_CAUSE_RESPONDED;
    out->opened_on = opened_on;
    out->closed_on = INK_DATE_NONE;
    out->close_reason = INK_CLOSE_NONE;
    out->debtor = debtor_of(w, index);
    make_debtor(&s, out->debtor);
    out->segment = s.b2b ? INK_SEGMENT_B2B : INK_SEGMENT_B2C;
    const int swiss = out->swiss;
    const double region_effect = regions[out->region - 1].effect;
    if (chance(&s, 0.01))
        out->region = 0; /* not delivered */

    /* Sector, creditor and product. */
    double weights[INK__GEN_SECTOR_COUNT];
    for (int i = 0; i < INK__GEN_SECTOR_COUNT; i++)
        weights[i] =
            (!swiss || sectors[i].swiss) ? sectors[i].weight[s.b2b] : 0.0;
    if (swiss && s.b2b)
        for (int i = 0; i < INK__GEN_SECTOR_COUNT; i++)
            weights[i] = sectors[i].swiss ? 1.0 : 0.0;
    out->sector = (uint8_t)pick_weighted(&s, weights, INK__GEN_SECTOR_COUNT);
    const sector_info *sector = &sectors[out->sector];
    int creditor =
        pick_named(&s, creditors, INK__GEN_CREDITOR_COUNT, out->sector, swiss);
    out->creditor = (uint8_t)(creditor + 1);
    int product =
        pick_named(&s, products, INK__GEN_PRODUCT_COUNT, out->sector, 0);
    out->product = (uint8_t)product;

    /* Debt age: fresh claims come weeks after the due date, aged ones
     * (bought or re-placed portfolios) many months later. */
    s.aged = !swiss && chance(&s, s.b2b ? 0.12 : 0.22);
    out->portfolio =
        swiss ? INK__GEN_SWISS : (s.aged ? INK__GEN_AGED : INK__GEN_FRESH);
    double age = s.aged ? 150 + ink__rng_lognormal(&s.rng, 330, 0.55)
                        : 14 + ink__rng_lognormal(&s.rng, 40, 0.55);
    s.age_days = age > 1800 ? 1800 : (int)age;
    out->due_on = chance(&s, 0.02) ? INK_DATE_NONE : opened_on - s.age_days;

    /* Amount: log-normal by sector and product, in the case currency. */
    double amount_eur =
        ink__rng_lognormal(&s.rng, sector->median[s.b2b], sector->sigma) *
        products[product].amount_factor * creditors[creditor].amount_factor *
        (s.aged ? 1.15 : 1.0);
    amount_eur = amount_eur < 5 ? 5 + unit(&s) * 5
                                : (amount_eur > 250000 ? 250000 : amount_eur);
    if (swiss) {
        s.unit_eur = 1.04;
        out->amount = major_to_units(amount_eur / s.unit_eur, 500);
    } else {
        s.unit_eur = 1.0;
        out->amount =
            major_to_units(amount_eur, chance(&s, 0.35) ? 10000 : 100);
    }
    amount_eur = (double)out->amount / 10000.0 * s.unit_eur;
    s.remaining = out->amount;

    int risk = risk_class(&s);
    out->risk = (uint8_t)(chance(&s, 0.02) ? 0 : risk);

    /* Who works the case. */
    int handler;
    if (swiss) {
        handler = chance(&s, 0.7) ? H_INHOUSE : H_CH;
    } else if (s.b2b && amount_eur > 10000 && chance(&s, 0.5)) {
        handler = H_KANZLEI;
    } else {
        double mix[4] = {0.55, 0.17, 0.14, 0.14};
        if (risk >= 4) {
            mix[0] = 0.40;
            mix[1] = 0.22;
            mix[2] = 0.18;
            mix[3] = 0.20;
        }
        if (s.b2b)
            mix[2] = 0.05;
        handler = pick_weighted(&s, mix, 4);
    }
    out->handler = (uint8_t)handler;
    s.h = &handlers[handler];
    s.owner = 41 + below(&s, 20);

    /*
     * The latent propensity (logit of paying once engaged): the debtor's
     * will, the creditor relationship, region and handler, debt age and
     * amount (both with diminishing effect, hence logs).
     */
    const double ref_amount = s.b2b ? 3000.0 : 200.0;
    const double age_for_effect = s.age_days < 14 ? 14.0 : (double)s.age_days;
    s.propensity = -1.0 + 1.1 * s.willingness + sector->effect +
                   products[product].effect + creditors[creditor].effect +
                   region_effect + s.h->effect + (s.b2b ? 0.25 : 0.0) -
                   0.35 * ink__log(amount_eur / ref_amount) -
                   0.55 * ink__log(age_for_effect / 45.0);
    if (chance(&s, 0.005))
        out->creditor = 0; /* not delivered */

    /* The logged policy: randomised strategy, timing and offer. */
    double mix[STRAT_COUNT];
    memcpy(mix, s.h->mix, sizeof mix);
    if (s.b2b) {
        mix[STRAT_CLASSIC] += mix[STRAT_DIGITAL] * 0.5;
        mix[STRAT_DIGITAL] *= 0.5;
    }
    s.strategy = pick_weighted(&s, mix, STRAT_COUNT);
    s.evening = chance(&s, s.b2b ? s.h->evening * 0.5 : s.h->evening);
    double offer_mix[3];
    offer_mix[OFFER_SETTLEMENT] =
        0.08 + 0.15 * s.aged + 0.10 * (risk >= 4 ? 1 : 0);
    offer_mix[OFFER_PLAN] = 0.22 + (amount_eur > 500 ? 0.2 : 0.0);
    offer_mix[OFFER_NONE] =
        1.0 - offer_mix[OFFER_SETTLEMENT] - offer_mix[OFFER_PLAN];
    s.offer = pick_weighted(&s, offer_mix, 3);

    if (latent) {
        memset(latent, 0, sizeof *latent);
        latent->willingness = s.willingness;
        latent->responsiveness = s.responsiveness;
        latent->digital = s.digital;
        latent->capacity_eur = s.capacity;
        latent->propensity = s.propensity;
        latent->strategy = (uint8_t)s.strategy;
        latent->evening = (uint8_t)s.evening;
        latent->offer = (uint8_t)s.offer;
        latent->draws = draws;
        if (draws > 0)
            run_replicas(&s, index, draws, scratch, latent);
    }
    collect(&s);

    /* Chronological order within the case (stable insertion sort; the
     * arrays are short and almost sorted). */
    for (uint32_t i = 1; i < out->contact_count; i++) {
        ink__gen_contact k = out->contacts[i];
        uint32_t j = i;
        while (j > 0 && (out->contacts[j - 1].day > k.day ||
                         (out->contacts[j - 1].day == k.day &&
                          out->contacts[j - 1].seconds > k.seconds))) {
            out->contacts[j] = out->contacts[j - 1];
            j--;
        }
        out->contacts[j] = k;
    }
    for (uint32_t i = 1; i < out->payment_count; i++) {
        ink__gen_payment p = out->payments[i];
        uint32_t j = i;
        while (j > 0 && out->payments[j - 1].day > p.day) {
            out->payments[j] = out->payments[j - 1];
            j--;
        }
        out->payments[j] = p;
    }
}
