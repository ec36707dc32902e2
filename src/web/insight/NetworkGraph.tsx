import { GraphChart } from "echarts/charts";
import { LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect } from "react";
import type { Network } from "../../core/engagements/network.ts";
import { escapeHtml } from "../shared/html.ts";
import { useEChart } from "../shared/use-echart.ts";

// Canvas rather than SVG: two thousand nodes stay fluid when dragged and zoomed.
echarts.use([GraphChart, TooltipComponent, LegendComponent, CanvasRenderer]);

const categories = ["organisation", "event", "mechanism", "unit"] as const;

/** The partner network as a force-directed graph; clicking an organisation focuses on it. */
export default function NetworkGraph({
  network,
  labels,
  name,
  onFocus,
}: {
  network: Network;
  labels: Record<(typeof categories)[number], string>;
  name: (n: Network["nodes"][number]) => string;
  onFocus: (organisationId: number) => void;
}) {
  const { element, chart } = useEChart("canvas");
  useEffect(() => {
    chart.current?.setOption(
      {
        tooltip: {
          formatter: (p: { data?: { label?: string; degree?: number } }) =>
            p.data?.label ? `${escapeHtml(p.data.label)} (${escapeHtml(p.data.degree ?? 0)})` : "",
        },
        legend: { data: categories.map((c) => labels[c]), bottom: 0 },
        series: [
          {
            type: "graph",
            layout: "force",
            roam: true,
            draggable: true,
            categories: categories.map((c) => ({ name: labels[c] })),
            force: { repulsion: network.nodes.length > 500 ? 18 : 60, edgeLength: [10, 40], gravity: 0.12, friction: 0.5 },
            emphasis: { focus: "adjacency", label: { show: true } },
            label: { show: false },
            lineStyle: { color: "source", opacity: 0.25, width: 0.6 },
            data: network.nodes.map((n) => ({
              id: n.id,
              name: n.id,
              label: name(n),
              degree: n.degree,
              category: categories.indexOf(n.kind),
              symbolSize: Math.min(40, 4 + Math.sqrt(n.degree) * 2.5),
            })),
            links: network.edges.map((e) => ({ source: e.source, target: e.target })),
          },
        ],
      },
      true,
    );
  }, [chart, network, labels, name]);
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    const handler = (p: { dataType?: string; data?: unknown }) => {
      const id = (p.data as { id?: string } | undefined)?.id;
      if (p.dataType === "node" && id?.startsWith("o")) onFocus(Number(id.slice(1)));
    };
    c.on("click", handler);
    return () => {
      c.off("click", handler);
    };
  }, [chart, onFocus]);
  return <div ref={element} role="img" aria-label={labels.organisation} style={{ width: "100%", height: 640 }} />;
}
