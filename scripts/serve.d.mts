import type { IncomingMessage, ServerResponse } from 'node:http';
export const CONTENT_TYPES: Record<string, string>;
export function staticHandler(root: string): (req: IncomingMessage, res: ServerResponse) => void;
