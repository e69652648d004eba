import { MAX_REPLICAS, SERVICES } from '@app/config';
import { MAX_ITEM_QUANTITY, MAX_PAGE_SIZE, MAX_PASSWORD_LENGTH, MAX_USERNAME_LENGTH, PRODUCT_ID_PATTERN, RESTART_STYLES, RestartStyle } from '@app/contracts';

/*
 * The gateway's input and output, as Fastify route schemas (`@RouteSchema`): bodies and queries
 * are validated once, here at the edge, by compiled validators (nothing unknown passes: no
 * extra properties, no type coercion of bodies); replies of fixed shape are serialized by
 * compiled serializers. Validation failures become 400 `bad_request` (see fastify-errors.ts).
 */

const productId = { type: 'string', pattern: PRODUCT_ID_PATTERN.source } as const;

const sessionUser = {
  type: 'object',
  required: ['userId', 'username'],
  properties: { userId: { type: 'string' }, username: { type: 'string' } },
} as const;

const product = {
  type: 'object',
  required: ['id', 'name', 'priceCents'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, priceCents: { type: 'integer' } },
} as const;

const cartItems = {
  type: 'array',
  items: {
    type: 'object',
    required: ['productId', 'quantity', 'priceCents'],
    properties: { productId: { type: 'string' }, quantity: { type: 'integer' }, priceCents: { type: 'integer' } },
  },
} as const;

const cartView = {
  type: 'object',
  required: ['items', 'totalCents'],
  properties: { items: cartItems, totalCents: { type: 'integer' } },
} as const;

export const LOGIN_SCHEMA = {
  body: {
    type: 'object',
    required: ['username', 'password'],
    additionalProperties: false,
    properties: {
      username: { type: 'string', minLength: 1, maxLength: MAX_USERNAME_LENGTH },
      password: { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH },
    },
  },
  response: { 200: sessionUser },
};

export const ME_SCHEMA = { response: { 200: sessionUser } };

/** jwt mode: a login or a refresh also says when the access token expires. */
const tokenLogin = {
  type: 'object',
  required: ['userId', 'username', 'accessExpiresAt'],
  properties: { userId: { type: 'string' }, username: { type: 'string' }, accessExpiresAt: { type: 'string' } },
} as const;

export const TOKEN_LOGIN_SCHEMA = { body: LOGIN_SCHEMA.body, response: { 200: tokenLogin } };

export const TOKEN_REFRESH_SCHEMA = { response: { 200: tokenLogin } };

export const CART_SCHEMA = { response: { 200: cartView } };

export const ADD_ITEM_SCHEMA = {
  body: {
    type: 'object',
    required: ['productId', 'quantity'],
    additionalProperties: false,
    properties: { productId, quantity: { type: 'integer', minimum: 1, maximum: MAX_ITEM_QUANTITY } },
  },
  response: { 201: cartView },
};

export const REMOVE_ITEM_SCHEMA = { response: { 200: cartView } };

export const CHECKOUT_SCHEMA = {
  response: {
    201: {
      type: 'object',
      required: ['orderId', 'items', 'totalCents'],
      properties: { orderId: { type: 'string' }, items: cartItems, totalCents: { type: 'integer' } },
    },
  },
};

export const LIST_PRODUCTS_SCHEMA = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE },
      offset: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    },
  },
  response: {
    200: { type: 'object', required: ['items', 'total'], properties: { items: { type: 'array', items: product }, total: { type: 'integer' } } },
  },
};

export const PRODUCT_SCHEMA = { response: { 200: product } };

/** Body of POST /lab/scale. */
export interface ScaleBody {
  service: (typeof SERVICES)[number];
  replicas: number;
}

export const SCALE_SCHEMA = {
  body: {
    type: 'object',
    required: ['service', 'replicas'],
    additionalProperties: false,
    properties: { service: { type: 'string', enum: [...SERVICES] }, replicas: { type: 'integer', minimum: 1, maximum: MAX_REPLICAS } },
  },
};

/** Body of POST /lab/replicas/:id/restart: how to restart it, and (drain) how long to wait at most. */
export interface RestartBody {
  style: RestartStyle;
  drainSeconds?: number;
}

export const RESTART_SCHEMA = {
  body: {
    type: 'object',
    required: ['style'],
    additionalProperties: false,
    properties: { style: { type: 'string', enum: [...RESTART_STYLES] }, drainSeconds: { type: 'integer', minimum: 0, maximum: 3600 } },
  },
};

/** Body of POST /lab/phase: experiments mark their phases so dashboards can show them. */
export interface PhaseBody {
  experiment: string;
  phase: string;
  active: boolean;
}

const phaseName = { type: 'string', pattern: '^[a-z0-9-]{1,40}$' } as const;

export const PHASE_SCHEMA = {
  body: {
    type: 'object',
    required: ['experiment', 'phase', 'active'],
    additionalProperties: false,
    properties: { experiment: phaseName, phase: phaseName, active: { type: 'boolean' } },
  },
};

/** Body of PUT /lab/faults/:name: the fault's value (its range depends on the fault). */
export interface FaultBody {
  value: number;
}

export const FAULT_SCHEMA = {
  body: { type: 'object', required: ['value'], additionalProperties: false, properties: { value: { type: 'number', minimum: 0 } } },
};
