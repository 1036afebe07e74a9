/* inkasso: collection KPIs and decisions. The one header to include. */
#ifndef INKASSO_H
#define INKASSO_H

#include "inkasso/status.h"
#include "inkasso/units.h"
#include "inkasso/portfolio.h"
#include "inkasso/quality.h"
#include "inkasso/gen.h"
#include "inkasso/kpi.h"
#include "inkasso/store.h"
#include "inkasso/ingest.h"
#include "inkasso/owners.h"
#include "inkasso/anomaly.h"
#include "inkasso/alerts.h"
#include "inkasso/attribution.h"
#include "inkasso/model.h"

#define INKASSO_VERSION "0.1.0"

#endif
