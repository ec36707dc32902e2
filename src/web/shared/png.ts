/**
 * Saves a chart as a PNG. ECharts drawn as SVG gives an SVG image; it is painted onto a
 * canvas at twice the size on a white ground, so the PNG is crisp in a report or a slide.
 */
export async function downloadPng(svgDataUrl: string, width: number, height: number, fileName: string): Promise<void> {
  const image = new Image();
  image.src = svgDataUrl;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = width * 2;
  canvas.height = height * 2;
  const context = canvas.getContext("2d");
  if (!context) return;
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  const link = document.createElement("a");
  link.download = fileName;
  link.href = canvas.toDataURL("image/png");
  link.click();
}
