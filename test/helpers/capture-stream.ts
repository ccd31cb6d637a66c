// A writable stream that keeps what is written to it, for a command's stdout or stderr in a test.

import { Writable } from "stream";

export class Capture extends Writable {
    text = "";
    _write(chunk: Buffer, _encoding: string, done: () => void): void {
        this.text += chunk.toString();
        done();
    }
}
