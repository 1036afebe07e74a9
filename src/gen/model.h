/* The generator's behaviour model: turns (seed, case number) into one
 * simulated case with its payments and contacts, without any I/O. */
#ifndef INKASSO_GEN_MODEL_H
#define INKASSO_GEN_MODEL_H

#include <stdint.h>

/* Channels; the writer maps them to the contract's spelling. */
enum {
    INK__GEN_LETTER,
    INK__GEN_EMAIL,
    INK__GEN_SMS,
    INK__GEN_PHONE,
    INK__GEN_PUSH,
    INK__GEN_PORTAL,
    INK__GEN_CHANNEL_COUNT
};

/* Payment methods. */
enum {
    INK__GEN_BANK_TRANSFER,
    INK__GEN_CARD,
    INK__GEN_DIRECT_DEBIT,
    INK__GEN_PORTAL_PAY,
    INK__GEN_METHOD_COUNT
};

/* How a contact's `automated` field is written. */
enum { INK__GEN_MANUAL = 0, INK__GEN_AUTOMATED = 1, INK__GEN_AUTO_EMPTY = 2 };

/* Direct cost of a contact; INK__GEN_COST_NONE is written as empty. */
enum {
    INK__GEN_COST_NONE,
    INK__GEN_COST_LETTER,
    INK__GEN_COST_LETTER_B2B,
    INK__GEN_COST_EMAIL,
    INK__GEN_COST_SMS,
    INK__GEN_COST_PHONE,
    INK__GEN_COST_VOICEBOT,
    INK__GEN_COST_PUSH,
    INK__GEN_COST_COUNT
};

/* How a handler's system writes timestamps. */
enum {
    INK__GEN_TS_OFFSET, /* local time with +01:00 / +02:00 */
    INK__GEN_TS_UTC,    /* converted to UTC, written with Z */
    INK__GEN_TS_LOCAL   /* local time without offset */
};

/* How the causal contact of a conversion led to the payment: the debtor
 * answered it, got in touch after it (inbound), or paid without a word. */
enum {
    INK__GEN_CAUSE_RESPONDED,
    INK__GEN_CAUSE_INBOUND,
    INK__GEN_CAUSE_SILENT
};

/* Portfolio kinds: fresh and aged EUR debt, and the one CHF portfolio. */
enum { INK__GEN_FRESH, INK__GEN_AGED, INK__GEN_SWISS };

/* Sizes of the category tables (model.c). */
#define INK__GEN_SECTOR_COUNT 10
#define INK__GEN_REGION_COUNT 21
#define INK__GEN_CREDITOR_COUNT 34
#define INK__GEN_PRODUCT_COUNT 28
#define INK__GEN_HANDLER_COUNT 6

/* Hard per-case limits: the simulation stops adding rows at these. */
#define INK__GEN_MAX_CONTACTS 192
#define INK__GEN_MAX_PAYMENTS 96
/* Largest agent pool of one handler. */
#define INK__GEN_MAX_AGENTS 64

typedef struct ink__gen_contact {
    int32_t day;     /* local calendar date */
    int32_t seconds; /* local seconds since midnight */
    uint16_t agent;  /* 1-based agent number within the handler; 0 none */
    uint16_t millis; /* fractional part when `fraction` is set */
    uint8_t channel;
    uint8_t direction; /* ink_direction */
    uint8_t outcome;   /* ink_outcome */
    uint8_t automated; /* INK__GEN_MANUAL / _AUTOMATED / _AUTO_EMPTY */
    uint8_t cost;      /* INK__GEN_COST_* */
    uint8_t fraction;  /* write .mmm (portal logs) */
} ink__gen_contact;

typedef struct ink__gen_payment {
    int32_t day;
    uint8_t method;
    int64_t amount; /* 1/10000 units; negative = reversal */
} ink__gen_payment;

typedef struct ink__gen_case {
    uint64_t debtor; /* 1-based debtor number */
    int32_t opened_on;
    int32_t due_on;    /* INK_DATE_NONE when not delivered */
    int32_t closed_on; /* INK_DATE_NONE while open */
    int64_t amount;    /* 1/10000 units */
    uint8_t segment;   /* ink_segment */
    uint8_t sector;
    uint8_t region; /* 0 missing, else region index + 1 */
    uint8_t risk;   /* 0 missing, 1..5 = A..E */
    uint8_t handler;
    uint8_t creditor; /* 0 missing, else creditor index + 1 */
    uint8_t product;
    uint8_t swiss;        /* 1: CHF */
    uint8_t portfolio;    /* INK__GEN_FRESH / _AGED / _SWISS */
    uint8_t close_reason; /* ink_close_reason */
    /* The model's causal story of the conversion, the earliest positive
     * payment written: which valid outbound contact led to it. Recorded
     * as the case is simulated; it draws no random number, so the
     * files are the same whether or not it is written out. */
    int32_t converted_on;  /* INK_DATE_NONE: no positive payment written */
    int32_t cause_on;      /* day of the causal outbound contact */
    uint8_t cause_channel; /* INK__GEN_* channel of that contact */
    uint8_t cause_kind;    /* INK__GEN_CAUSE_* */
    uint32_t contact_count;
    uint32_t payment_count;
    ink__gen_contact contacts[INK__GEN_MAX_CONTACTS];
    ink__gen_payment payments[INK__GEN_MAX_PAYMENTS];
} ink__gen_case;

/* What every case of one run shares; read-only once initialised. */
typedef struct ink__gen_world {
    uint64_t seed;
    uint64_t cases;
    int32_t end_day;    /* last placement day and the data's as-of date */
    int perm_half_bits; /* debtor permutation: Feistel half width */
    uint64_t perm_keys[4];
    double agent_skill[INK__GEN_HANDLER_COUNT][INK__GEN_MAX_AGENTS];
} ink__gen_world;

void ink__gen_world_init(ink__gen_world *w, uint64_t seed, uint64_t cases,
                         int32_t end_day);

/* Logged actions (model.c): strategy, timing slot and offer. */
#define INK__GEN_STRATEGY_COUNT 3
#define INK__GEN_OFFER_COUNT 3

/* The latent view of one case that a real extract never has: the
 * debtor's hidden traits, the case's propensity z, the logged action, and
 * (with draws > 0) how often replicas of the case's collection paid.
 * Replicas run the same case, debtor and action on random streams of
 * their own, with no as-of cut; the case itself is unchanged by them. */
typedef struct ink__gen_latent {
    double willingness;    /* u */
    double responsiveness; /* e */
    double digital;        /* affinity to email, sms and push */
    double capacity_eur;   /* affordable monthly amount, EUR */
    double propensity;     /* z: logit of committing once engaged */
    uint8_t strategy;      /* index into ink__gen_strategy_names */
    uint8_t evening;       /* 1: the evening slot */
    uint8_t offer;         /* index into ink__gen_offer_names */
    uint32_t draws;        /* replicas simulated */
    uint32_t paid_any;     /* replicas with a positive payment */
    uint32_t paid_30;      /* replicas collecting >= 10 % of the amount in
                              the 30 days after placement */
} ink__gen_latent;

extern const char *const ink__gen_strategy_names[INK__GEN_STRATEGY_COUNT];
extern const char *const ink__gen_offer_names[INK__GEN_OFFER_COUNT];

/* Distinct debtors over the first `cases` cases. */
uint64_t ink__gen_debtor_count(uint64_t cases);

/* Simulates case number `index` (0-based, placement order) opened on
 * `opened_on`; fills *out completely. Pure function of its inputs. */
void ink__gen_case_make(const ink__gen_world *w, uint64_t index,
                        int32_t opened_on, ink__gen_case *out);

/* ink__gen_case_make that also fills *latent, simulating `draws`
 * replicas of the case's collection in *scratch (any contents; needed
 * when draws > 0). *out is byte for byte what ink__gen_case_make gives. */
void ink__gen_case_make_latent(const ink__gen_world *w, uint64_t index,
                               int32_t opened_on, ink__gen_case *out,
                               ink__gen_latent *latent, uint32_t draws,
                               ink__gen_case *scratch);

/* Text of the model's categories, unquoted UTF-8. */
extern const char *const ink__gen_sector_names[INK__GEN_SECTOR_COUNT];
extern const char *const ink__gen_region_names[INK__GEN_REGION_COUNT];
extern const char *const ink__gen_creditor_names[INK__GEN_CREDITOR_COUNT];
extern const char *const ink__gen_product_names[INK__GEN_PRODUCT_COUNT];
extern const char *const ink__gen_handler_names[INK__GEN_HANDLER_COUNT];
extern const char *const ink__gen_agent_prefixes[INK__GEN_HANDLER_COUNT];
extern const uint8_t ink__gen_handler_ts_style[INK__GEN_HANDLER_COUNT];
/* Direct cost per INK__GEN_COST_* in EUR and CHF, 1/10000 units. */
extern const int64_t ink__gen_cost_eur[INK__GEN_COST_COUNT];
extern const int64_t ink__gen_cost_chf[INK__GEN_COST_COUNT];

#endif
