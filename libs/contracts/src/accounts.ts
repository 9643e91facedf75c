export const Role = { RIDER: 'rider', DRIVER: 'driver', ADMIN: 'admin' } as const;
export type Role = (typeof Role)[keyof typeof Role];

export const CabType = { ECONOMY: 'ECONOMY', XL: 'XL', PREMIUM: 'PREMIUM' } as const;
export type CabType = (typeof CabType)[keyof typeof CabType];
export const CAB_TYPES = Object.values(CabType);

/** Socket.io namespaces, each open to one role. */
export const Namespace = { DRIVER: '/driver', RIDER: '/rider', ADMIN: '/admin' } as const;
export type Namespace = (typeof Namespace)[keyof typeof Namespace];
export const NAMESPACE_ROLE: Record<Namespace, Role> = {
  '/driver': Role.DRIVER,
  '/rider': Role.RIDER,
  '/admin': Role.ADMIN,
};

export interface RiderView {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  rating: number;
  createdAt: string;
}

export interface VehicleView {
  id: string;
  plate: string;
  model: string | null;
  cabType: CabType;
}

export interface DriverView {
  id: string;
  name: string;
  email: string;
  rating: number;
  suspended: boolean;
  vehicle: VehicleView;
  createdAt: string;
}

export interface LoginResult {
  accessToken: string;
  role: Role;
  id: string;
}
