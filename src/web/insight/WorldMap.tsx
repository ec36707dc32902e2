import { Button } from "@mantine/core";
import { MapChart } from "echarts/charts";
import { TooltipComponent, VisualMapComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { escapeHtml } from "../shared/html.ts";
import { downloadPng } from "../shared/png.ts";
import { useEChart } from "../shared/use-echart.ts";
import world from "./world.geo.json" with { type: "json" };

echarts.use([MapChart, TooltipComponent, VisualMapComponent, SVGRenderer]);
// ECharts' GeoJSON type is stricter than JSON imports are typed.
echarts.registerMap("world", world as unknown as Parameters<typeof echarts.registerMap>[1]);

/** The codes the map has shapes for; the others are listed beside it. */
export const mappedCodes = new Set(world.features.map((f) => f.properties.name));

export interface MapDatum {
  code: string;
  name: string;
  value: number;
  /** Shown on hover, line by line. */
  details: string[];
}

/**
 * A world choropleth (ECharts, world-atlas shapes, no map server). Hover shows the figures,
 * a click opens the country. Loaded only by the insight screen.
 */
export default function WorldMap({
  data,
  label,
  onOpen,
  max,
}: {
  data: MapDatum[];
  label: string;
  onOpen: (code: string) => void;
  max: number;
}) {
  const { element, chart } = useEChart("svg");
  useEffect(() => {
    const byCode = new Map(data.map((d) => [d.code, d]));
    chart.current?.setOption(
      {
        animation: false,
        tooltip: {
          trigger: "item",
          formatter: (p: { name: string }) => {
            const d = byCode.get(p.name);
            return d ? [`<b>${escapeHtml(d.name)}</b>`, ...d.details.map(escapeHtml)].join("<br/>") : escapeHtml(p.name);
          },
        },
        visualMap: {
          min: 0,
          max: Math.max(1, max),
          left: 8,
          bottom: 8,
          calculable: true,
          inRange: { color: ["#e7f5ff", "#1c7ed6", "#0b3d91"] },
        },
        series: [
          {
            type: "map",
            map: "world",
            roam: true,
            emphasis: { label: { show: false }, itemStyle: { areaColor: "#ffd43b" } },
            itemStyle: { areaColor: "#f1f3f5", borderColor: "#adb5bd", borderWidth: 0.4 },
            data: data.map((d) => ({ name: d.code, value: d.value })),
          },
        ],
      },
      true,
    );
  }, [chart, data, max]);
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    const handler = (p: { name?: string }) => {
      if (p.name) onOpen(p.name);
    };
    c.on("click", handler);
    return () => {
      c.off("click", handler);
    };
  }, [chart, onOpen]);
  const { t } = useTranslation();
  const save = () => {
    const c = chart.current;
    if (c) void downloadPng(c.getDataURL({ type: "svg" }), c.getWidth(), c.getHeight(), "liaison-map.png");
  };
  return (
    <div style={{ position: "relative" }}>
      <div ref={element} role="img" aria-label={label} style={{ width: "100%", height: 520 }} />
      <Button size="compact-xs" variant="subtle" color="gray" onClick={save} style={{ position: "absolute", top: 0, right: 0 }}>
        {t("common.png")}
      </Button>
    </div>
  );
}
