import { z } from 'zod';
import { idSchema } from '../../directory/directory-schema.js';

export const accountParams = z.object({ accountId: idSchema });
export const userParams = z.object({ accountId: idSchema, userId: idSchema });
