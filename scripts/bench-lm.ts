export async function benchLm(put: (k: string, v: string) => void): Promise<void> { put('lm', 'not yet'); }
