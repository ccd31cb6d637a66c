// One render per stack per test process: several suites read the same stacks.
import { RenderResult, renderStack } from "../../tools/render-stack";

const renders = new Map<string, Promise<RenderResult>>();

export function renderedStack(stack: string): Promise<RenderResult> {
    if (!renders.has(stack)) {
        renders.set(stack, renderStack(stack));
    }
    return renders.get(stack)!;
}
