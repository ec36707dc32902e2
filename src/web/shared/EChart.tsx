import { Button } from "@mantine/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { downloadPng } from "./png.ts";
import { useEChart } from "./use-echart.ts";

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, SVGRenderer]);

/** Options for ECharts; kept loose because ECharts' own option type is vast. */
export type ChartOption = echarts.EChartsCoreOption;

/**
 * An ECharts chart, rendered as SVG (crisp in screenshots and print). This module is loaded
 * only by screens that draw charts, so ECharts stays out of the first download.
 */
export default function EChart({
  option,
  height = 260,
  label,
  onClick,
}: {
  option: ChartOption;
  height?: number;
  label: string;
  onClick?: (name: string, seriesIndex: number) => void;
}) {
  const { t } = useTranslation();
  const { element, chart } = useEChart("svg");
  useEffect(() => {
    // No animation: a chart reads the same in a screenshot, a PNG or on paper as on screen.
    chart.current?.setOption({ animation: false, ...option }, true);
  }, [chart, option]);
  useEffect(() => {
    const c = chart.current;
    if (!c || !onClick) return;
    const handler = (params: { name?: string; seriesIndex?: number }) => onClick(params.name ?? "", params.seriesIndex ?? 0);
    c.on("click", handler);
    return () => {
      c.off("click", handler);
    };
  }, [chart, onClick]);
  const save = () => {
    const c = chart.current;
    if (!c) return;
    void downloadPng(
      c.getDataURL({ type: "svg" }),
      c.getWidth(),
      c.getHeight(),
      `${label.replace(/[\\/:*?"<>|]+/g, " ").trim() || "chart"}.png`,
    );
  };
  return (
    <div style={{ position: "relative" }}>
      <div ref={element} role="img" aria-label={label} style={{ width: "100%", height }} />
      <Button size="compact-xs" variant="subtle" color="gray" onClick={save} style={{ position: "absolute", top: 0, right: 0 }}>
        {t("common.png")}
      </Button>
    </div>
  );
}
