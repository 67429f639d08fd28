/**
 * Debian's chromium as the tests, the bench and the screenshots start it: headless, no sandbox (they run as
 * root), and none of its background traffic, which this machine's closed network would refuse many times over.
 */
export const CHROMIUM = process.env.TCPREASM_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
