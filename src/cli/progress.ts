/**
 * Prints progress of long work on stderr: one updating line on a terminal, a line
 * every 10% otherwise (CI logs).
 */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr) {
  let lastStep = "";
  let lastTenth = -1;
  return (step: string, done: number, total?: number) => {
    const text = total ? `${step}: ${done}/${total} (${Math.round((done / Math.max(total, 1)) * 100)}%)` : `${step}: ${done}`;
    if (stream.isTTY) {
      stream.write(`\r${text}\x1b[K`);
      if (total && done >= total) stream.write("\n");
      return;
    }
    const tenth = total ? Math.floor((done / Math.max(total, 1)) * 10) : -1;
    if (step !== lastStep || tenth !== lastTenth) {
      stream.write(`${text}\n`);
      lastStep = step;
      lastTenth = tenth;
    }
  };
}
