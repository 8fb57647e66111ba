/** The demo upstream's GraphQL API: users and orders, queries, mutations and variables. */
import { buildSchema, graphql, type GraphQLSchema } from 'graphql';

export const schema: GraphQLSchema = buildSchema(`
  type User { id: ID!, name: String!, email: String!, orders: [Order!]! }
  type Order { id: ID!, userId: ID!, item: String!, quantity: Int! }
  type Query {
    user(id: ID!): User
    users(limit: Int = 10): [User!]!
    order(id: ID!): Order
    echo(message: String!): String!
  }
  type Mutation {
    createOrder(userId: ID!, item: String!, quantity: Int = 1): Order!
  }
`);

interface OrderRow { id: string; userId: string; item: string; quantity: number }

export function createResolvers(): Record<string, unknown> {
  const users = [
    { id: '1', name: 'Alice', email: 'alice@example.test' },
    { id: '2', name: 'Bob', email: 'bob@example.test' },
  ];
  const orders: OrderRow[] = [{ id: '100', userId: '1', item: 'book', quantity: 2 }];
  const withOrders = (u: (typeof users)[number]) => ({ ...u, orders: () => orders.filter((o) => o.userId === u.id) });
  return {
    user: ({ id }: { id: string }) => {
      const u = users.find((x) => x.id === id);
      return u ? withOrders(u) : null;
    },
    users: ({ limit }: { limit: number }) => users.slice(0, Math.max(0, limit)).map(withOrders),
    order: ({ id }: { id: string }) => orders.find((o) => o.id === id) ?? null,
    echo: ({ message }: { message: string }) => message,
    createOrder: ({ userId, item, quantity }: { userId: string; item: string; quantity: number }) => {
      const order = { id: String(100 + orders.length), userId, item, quantity };
      orders.push(order);
      return order;
    },
  };
}

export async function runGraphql(rootValue: Record<string, unknown>, body: { query?: unknown; variables?: unknown; operationName?: unknown }): Promise<unknown> {
  if (typeof body.query !== 'string') return { errors: [{ message: 'Must provide query string.' }] };
  return graphql({
    schema,
    source: body.query,
    rootValue,
    variableValues: body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : undefined,
    operationName: typeof body.operationName === 'string' ? body.operationName : undefined,
  });
}
