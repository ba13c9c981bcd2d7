/**
 * The baseline of the API benchmark: a bare Node HTTP server that parses each JSON body, sets a field and
 * answers with it, as the cheapest possible "create". Run as a child process by bench/run.ts.
 */
import { createServer } from "node:http";

const port = Number(process.argv[2]);
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const obj = JSON.parse(Buffer.concat(chunks).toString()) as {
      metadata: Record<string, unknown>;
    };
    obj.metadata["uid"] = "00000000-0000-0000-0000-000000000000";
    const text = JSON.stringify(obj);
    res.writeHead(201, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(text),
    });
    res.end(text);
  });
});
server.listen(port, "127.0.0.1", () => process.send?.("ready"));
