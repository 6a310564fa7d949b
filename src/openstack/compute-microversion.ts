/**
 * Every Nova call asks for microversion 2.55 (flavor descriptions, which carry the tool's flavor marker; Nova has
 * it since Queens).
 */
const COMPUTE_MICROVERSION = '2.55';

export const computeHeaders: Readonly<Record<string, string>> = {
  'openstack-api-version': `compute ${COMPUTE_MICROVERSION}`,
  'x-openstack-nova-api-version': COMPUTE_MICROVERSION,
};
