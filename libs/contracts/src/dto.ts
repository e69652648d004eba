import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
export const PRODUCT_ID_PATTERN = /^p-\d{1,6}$/;
export const MAX_ITEM_QUANTITY = 99;
export const MAX_CART_LINES = 50;

/** Body of POST /api/login. */
export class LoginDto {
  @IsString()
  @Length(1, 64)
  username: string;

  @IsString()
  @Length(1, 128)
  password: string;
}

/** Body of POST /api/cart/items. */
export class AddCartItemDto {
  @IsString()
  @Matches(PRODUCT_ID_PATTERN, { message: 'productId must look like p-123' })
  productId: string;

  @IsInt()
  @Min(1)
  @Max(MAX_ITEM_QUANTITY)
  quantity: number;
}

/** Query of GET /api/products. */
export class ListProductsQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;
}

// ---- messages of the TCP hop -------------------------------------------------------------

export class SessionRef {
  @IsString()
  @Matches(SESSION_ID_PATTERN)
  sid: string;
}

export class LoginMessage extends SessionRef {
  @IsString()
  @Length(1, 64)
  username: string;

  @IsString()
  @Length(1, 128)
  password: string;
}

export class AddItemMessage extends SessionRef {
  @IsString()
  @Matches(PRODUCT_ID_PATTERN)
  productId: string;

  @IsInt()
  @Min(1)
  @Max(MAX_ITEM_QUANTITY)
  quantity: number;

  @IsInt()
  @Min(0)
  priceCents: number;
}

export class RemoveItemMessage extends SessionRef {
  @IsString()
  @Matches(PRODUCT_ID_PATTERN)
  productId: string;
}

export class CheckoutMessage extends SessionRef {
  @IsString()
  @Length(1, 64)
  userId: string;
}

export class ListProductsMessage {
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number;

  @IsInt()
  @Min(0)
  offset: number;
}

export class ProductRef {
  @IsString()
  @Length(1, 64)
  id: string;
}
