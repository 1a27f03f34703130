/* vx-charts.h: everything of libvitx-charts (renderers, tables, export) */
#pragma once

#include "vx-chart-common.h"
#include "vx-chart-theme.h"
#include "vx-chart-axis.h"
#include "vx-chart-table.h"
#include "vx-chart-histogram.h"
#include "vx-chart-bars.h"
#include "vx-chart-radar.h"
#include "vx-chart-lines.h"
#include "vx-chart-heatmap.h"
#include "vx-chart-confusion.h"
#include "vx-chart-image.h"
#include "vx-chart-export.h"
